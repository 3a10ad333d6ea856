"""One email a day per team (a digest), or each reminder alone for those who choose it."""

from __future__ import annotations

import sqlalchemy as sa

from mdt.mail.models import OutboxMessage
from mdt.reminders.models import Reminder, ReminderDigest, ReminderPreference
from mdt.teams.models import TeamRole
from tests.conftest import login, submit
from tests.reminders.support import (
    choose_immediate,
    london,
    meeting_on,
    reminder_mail,
    run_scheduler,
)


def test_a_person_with_three_things_due_gets_one_digest_not_three_emails(app, session, make):
    priya = make.user(name="Dr Priya Shah", email="priya@example.org")
    sam = make.user(name="Sam Whitfield", email="sam@example.org")
    team = make.team(coordinator=priya, name="Oakfield Frailty MDT")
    make.member(team, sam, role=TeamRole.CORE_MEMBER, discipline="Adult social care")
    choose_immediate(app, sam.id)
    # Three meetings on Monday 18 January 2027, all due a reminder on Friday the 15th.
    for hour in (16, 9, 12):
        meeting_on(make, team, london(2027, 1, 18, hour, 0), location=f"Room {hour}")

    run_scheduler(app, london(2027, 1, 15, 7, 30))

    mail = reminder_mail(session)
    [digest] = [m for m in mail if m.to == "priya@example.org"]
    assert digest.subject == "Your MDT reminders: Oakfield Frailty MDT, Fri 15 Jan 2027"
    positions = [digest.body.index(f"Where: Room {hour}") for hour in (9, 12, 16)]
    assert positions == sorted(positions), "in the order the meetings happen"
    assert "1. Oakfield Frailty MDT meeting" in digest.body
    assert "3. Oakfield Frailty MDT meeting" in digest.body
    # Sam chose each reminder alone, as soon as it is due.
    alone = sorted(m.subject for m in mail if m.to == "sam@example.org")
    assert alone == [
        "Reminder: Oakfield Frailty MDT meeting on Mon 18 Jan at 09:00",
        "Reminder: Oakfield Frailty MDT meeting on Mon 18 Jan at 12:00",
        "Reminder: Oakfield Frailty MDT meeting on Mon 18 Jan at 16:00",
    ]
    assert all(
        "You get each reminder in its own email" in m.body for m in mail if m.to == sam.email
    )
    # Each reminder, and the day's digest, names the email it went in (queued in bulk, the
    # rows get their ids when the sweep flushes).
    session.expire_all()
    sent = session.execute(
        sa.select(Reminder.user_id, OutboxMessage.recipients, OutboxMessage.subject).join(
            OutboxMessage, OutboxMessage.id == Reminder.outbox_message_id
        )
    ).all()
    assert (
        sorted(r for r in sent if r[0] == priya.id) == [(priya.id, priya.email, digest.subject)] * 3
    )
    assert sorted(subject for uid, _, subject in sent if uid == sam.id) == alone
    digest_row = session.scalar(sa.select(ReminderDigest).where(ReminderDigest.user_id == priya.id))
    assert digest_row.outbox_message.subject == digest.subject


def test_someone_in_two_teams_gets_a_digest_from_each(app, session, make):
    jo = make.user(name="Jo Clarke", email="jo@example.org")
    for name in ("Riverside Neighbourhood MDT", "Oakfield Frailty MDT"):
        team = make.team(name=name)
        make.member(team, jo, discipline="Community nursing")
        meeting_on(make, team, london(2027, 1, 12, 12, 30))

    run_scheduler(app, london(2027, 1, 11, 7, 30))

    subjects = sorted(m.subject for m in reminder_mail(session) if m.to == "jo@example.org")
    assert subjects == [
        "Your MDT reminders: Oakfield Frailty MDT, Mon 11 Jan 2027",
        "Your MDT reminders: Riverside Neighbourhood MDT, Mon 11 Jan 2027",
    ]


def test_a_person_chooses_each_reminder_in_its_own_email(client, session, make):
    sam = make.user(email="sam@example.org")
    login(client, sam.email)

    page = client.get("/reminders/preferences").text
    assert 'value="digest" checked' in page
    assert "07:30 on working days" in page

    response = submit(client, "/reminders/preferences", {"how": "immediate"})
    assert response.status_code == 302
    page = client.get("/reminders/preferences").text
    assert "Your reminder choice is saved." in page and 'value="immediate" checked' in page
    preference = session.get(ReminderPreference, sam.id, populate_existing=True)
    assert preference.immediate is True

    submit(client, "/reminders/preferences", {"how": "digest"})
    session.expire_all()
    assert session.scalar(sa.select(ReminderPreference.immediate)) is False


def test_saving_without_a_choice_says_what_to_fix(client, make):
    login(client, make.user().email)

    response = submit(client, "/reminders/preferences", {})

    assert response.status_code == 200
    assert (
        "There is a problem" in response.text and "Choose how you want reminders" in response.text
    )
