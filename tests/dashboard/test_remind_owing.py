""" "Remind those who still owe" (issue 22, item 4): one email each, by SMTP through the
outbox, to those who still owe preparation (the cover, not the member covered); at most once a
day per person and meeting; each recorded as a reminder row sent in that email."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine

from mdt.mail.models import OutboxMessage
from mdt.reminders.models import Reminder, ReminderStatus
from tests.conftest import login
from tests.dashboard.support import WEEK_BEFORE, team
from tests.minutes.support import token_of


def press(client, meeting_id: int):  # type: ignore[no-untyped-def]
    url = f"/meetings/{meeting_id}/remind-owing"
    page = client.get("/dashboard").text
    return client.post(url, data={"csrf_token": token_of(page, url)}, follow_redirects=True)


def reminders(session, meeting_id: int) -> list[Reminder]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return list(
        session.scalars(
            sa.select(Reminder)
            .where(Reminder.kind == "prep_chased", Reminder.subject == f"prep:{meeting_id}")
            .order_by(Reminder.id)
        )
    )


def test_one_email_each_to_those_who_still_owe_and_only_once_a_day(client, make, session, smtp):
    with time_machine.travel(WEEK_BEFORE, tick=False):
        t = team(make, session)
        login(client, t.coordinator.email)
        page = press(client, t.meeting.id).text
        assert "Reminder sent to Ben Hughes, Sam Whitfield and Dr Gita Patel." in page
        received = {r.rcpt_tos[0]: r.message for r in smtp.received}
        # Jo Clarke sent apologies and Ben Hughes covers her: he is reminded, she is not.
        assert set(received) == {t.ben.email, t.sam.email, t.chair.email}
        assert len(smtp.received) == 3
        for message in received.values():
            subject = message["Subject"]
            assert subject == "Preparation still owed: Riverside MDT meeting on Tue 12 Jan"
        body = received[t.ben.email].get_content()
        assert "You still have 2 patients to prepare" in body
        assert "due by the end of Friday 8 January" in body
        assert "Cora Coordinator asks you to prepare" in body
        assert "http://mdt.test/prep" in body
        for case in t.cases:  # no patient, in the subject or the body
            for message in received.values():
                assert case.patient.name not in message.as_string()
                assert case.patient.nhs_number not in message.as_string()

        rows = reminders(session, t.meeting.id)
        assert {r.user_id for r in rows} == {t.ben.id, t.sam.id, t.chair.id}
        assert all(r.status is ReminderStatus.SENT and r.sent_at == WEEK_BEFORE for r in rows)
        assert all(r.team_id == t.team.id for r in rows)
        sent = {m.id: m.recipients for m in session.scalars(sa.select(OutboxMessage))}
        assert {sent[r.outbox_message_id] for r in rows} == set(received)
        assert "Reminded today: Ben Hughes, Dr Gita Patel and Sam Whitfield." in page

    # Pressed again later the same day: nothing new, and it says who was reminded already.
    with time_machine.travel(WEEK_BEFORE + timedelta(hours=6), tick=False):
        page = press(client, t.meeting.id).text
        assert "Reminder sent to" not in page
        assert (
            "Already reminded today, so not sent again: Ben Hughes, Sam Whitfield and "
            "Dr Gita Patel." in page
        )
        assert len(smtp.received) == 3 and len(reminders(session, t.meeting.id)) == 3

    # The next day they may be reminded again.
    with time_machine.travel(WEEK_BEFORE + timedelta(days=1), tick=False):
        login(client, t.coordinator.email)
        page = press(client, t.meeting.id).text
        assert "Reminder sent to Ben Hughes, Sam Whitfield and Dr Gita Patel." in page
        assert len(smtp.received) == 6 and len(reminders(session, t.meeting.id)) == 6


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_someone_who_has_prepared_everything_is_not_reminded(client, make, session, smtp):
    t = team(make, session)
    for case in t.cases:
        for request in case.prep_requests:
            if request.user_id != t.sam.id:
                request.completed_at = WEEK_BEFORE
    session.commit()
    login(client, t.coordinator.email)
    assert "Reminder sent to Sam Whitfield." in press(client, t.meeting.id).text
    assert [r.rcpt_tos for r in smtp.received] == [[t.sam.email]]


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_when_nobody_owes_nothing_is_sent(client, make, session, smtp):
    t = team(make, session)
    for case in t.cases:
        for request in case.prep_requests:
            request.completed_at = WEEK_BEFORE
    session.commit()
    login(client, t.coordinator.email)
    page = client.get("/dashboard").text
    assert "Nobody owes any preparation." in page and "Remind those who still owe" not in page
    url = f"/meetings/{t.meeting.id}/remind-owing"
    token = token_of(client.get(f"/meetings/{t.meeting.id}/agenda").text, "/logout")
    page = client.post(url, data={"csrf_token": token}, follow_redirects=True).text
    assert "Nobody still owes preparation for this meeting: nothing was sent." in page
    assert smtp.received == [] and reminders(session, t.meeting.id) == []


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_only_those_who_run_the_meetings_may_press_it(app, make, session, smtp):
    t = team(make, session)
    url = f"/meetings/{t.meeting.id}/remind-owing"
    outsider = make.user()
    for person, status in ((t.sam, 403), (outsider, 404)):
        client = app.test_client()
        login(client, person.email)
        token = token_of(client.get("/profile").text, "/logout")
        assert client.post(url, data={"csrf_token": token}).status_code == status
    chair = app.test_client()
    login(chair, t.chair.email)
    assert "Reminder sent to" in press(chair, t.meeting.id).text
    assert len(smtp.received) == 3


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_an_expired_form_sends_nothing(client, make, session, smtp):
    t = team(make, session)
    login(client, t.coordinator.email)
    response = client.post(f"/meetings/{t.meeting.id}/remind-owing", follow_redirects=True)
    assert "Nothing was sent: the form had expired. Try again." in response.text
    assert smtp.received == [] and reminders(session, t.meeting.id) == []
