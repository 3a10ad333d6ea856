"""Invitees are reminded of a meeting on the working day before it, once, in the team's time."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from mdt.reminders.models import Reminder, ReminderStatus
from mdt.teams.models import TeamRole
from tests.reminders.support import (
    cancel_meeting,
    london,
    meeting_on,
    reminder_mail,
    run_scheduler,
    send_apologies,
)


@pytest.fixture
def riverside(make):  # type: ignore[no-untyped-def]
    """A team of four: Alex coordinates; Priya (GP), Sam (social work) and Jo (nursing)."""
    alex = make.user(name="Alex Morgan", email="alex@riverside.example.org")
    team = make.team(coordinator=alex, name="Riverside Neighbourhood MDT")
    people = {"alex": alex}
    for key, name, discipline in [
        ("priya", "Dr Priya Shah", "General practice"),
        ("sam", "Sam Whitfield", "Adult social care"),
        ("jo", "Jo Clarke", "Community nursing"),
    ]:
        people[key] = make.user(name=name, email=f"{key}@riverside.example.org")
        make.member(team, people[key], role=TeamRole.CORE_MEMBER, discipline=discipline)
    return team, people


def test_each_invitee_is_reminded_at_0730_the_day_before_with_time_place_and_video(
    app, session, make, riverside
):
    team, people = riverside
    meeting = meeting_on(
        make,
        team,
        london(2027, 1, 12, 12, 30),  # a Tuesday
        location="Riverside Surgery, meeting room 2",
        video_link="https://video.example.org/riverside-mdt",
    )

    run_scheduler(app, london(2027, 1, 11, 7, 29))
    assert reminder_mail(session) == []

    run_scheduler(app, london(2027, 1, 11, 7, 30))
    mail = reminder_mail(session)
    assert sorted(m.to for m in mail) == sorted(p.email for p in people.values())
    priya = next(m for m in mail if m.to == people["priya"].email)
    # The subject names the team and the day, and nothing else (never a patient).
    assert priya.subject == "Your MDT reminders: Riverside Neighbourhood MDT, Mon 11 Jan 2027"
    assert "Hello Dr Priya Shah" in priya.body
    assert "When: Tuesday 12 January 2027, 12:30 (Europe/London)" in priya.body
    assert "Where: Riverside Surgery, meeting room 2" in priya.body
    assert "Video: https://video.example.org/riverside-mdt" in priya.body
    assert "Your reply: No reply yet" in priya.body
    assert f"http://mdt.test/meetings/{meeting.id}" in priya.body
    assert "http://mdt.test/reminders/preferences" in priya.body
    assert all(m.sent_at == london(2027, 1, 11, 7, 30) for m in mail), "delivered that minute"


def test_nobody_who_sent_apologies_is_reminded(app, session, make, riverside):
    team, people = riverside
    meeting = meeting_on(make, team, london(2027, 1, 12, 12, 30))
    send_apologies(app, meeting.id, people["jo"].id)

    run_scheduler(app, london(2027, 1, 11, 7, 30))

    assert people["jo"].email not in {m.to for m in reminder_mail(session)}
    assert len(reminder_mail(session)) == 3


def test_a_meeting_after_the_easter_weekend_is_reminded_on_maundy_thursday(
    app, session, make, riverside
):
    team, _ = riverside
    # Tuesday 30 March 2027 follows Good Friday (26th) and Easter Monday (29th).
    meeting_on(make, team, london(2027, 3, 30, 12, 30))

    run_scheduler(app, london(2027, 3, 25, 7, 29))
    assert reminder_mail(session) == []

    run_scheduler(app, london(2027, 3, 25, 7, 30))
    for day in (26, 29):  # the bank holidays: nothing more
        run_scheduler(app, london(2027, 3, day, 7, 30))

    mail = reminder_mail(session)
    assert len(mail) == 4
    assert {m.subject for m in mail} == {
        "Your MDT reminders: Riverside Neighbourhood MDT, Thu 25 Mar 2027"
    }
    assert {m.sent_at for m in mail} == {london(2027, 3, 25, 7, 30)}


@pytest.mark.parametrize(
    ("meeting_day", "reminder_day", "utc_hour"),
    [
        # The spring change is on Sunday 29 March 2026: GMT before it, BST after.
        ((2026, 3, 30), (2026, 3, 27), 9),
        ((2026, 3, 31), (2026, 3, 30), 8),
        # The autumn change is on Sunday 25 October 2026: BST before it, GMT after.
        ((2026, 10, 26), (2026, 10, 23), 8),
        ((2026, 10, 27), (2026, 10, 26), 9),
    ],
    ids=["friday-before-spring", "monday-after-spring", "friday-before-autumn", "monday-after"],
)
def test_a_reminder_due_at_0900_goes_at_0900_london_time_either_side_of_a_clock_change(
    app, session, make, riverside, meeting_day, reminder_day, utc_hour
):
    app.config["REMINDERS_DIGEST_TIME"] = "09:00"
    team, _ = riverside
    meeting_on(make, team, london(*meeting_day, 12, 30))

    run_scheduler(app, london(*reminder_day, 8, 59))
    assert reminder_mail(session) == []

    nine = london(*reminder_day, 9, 0)
    run_scheduler(app, nine)
    mail = reminder_mail(session)
    assert len(mail) == 4
    assert {m.sent_at for m in mail} == {nine}
    assert nine.hour == utc_hour  # the same 09:00 in London is a different hour in UTC


def test_running_the_sweep_again_sends_nothing_twice(app, session, make, riverside):
    team, _ = riverside
    meeting_on(make, team, london(2027, 1, 12, 12, 30))

    first = run_scheduler(app, london(2027, 1, 11, 7, 30))
    again = run_scheduler(app, london(2027, 1, 11, 7, 30))
    later = run_scheduler(app, london(2027, 1, 11, 16, 0))

    assert (first.swept.created, first.swept.emails) == (4, 4)
    assert (again.swept.created, again.swept.emails) == (0, 0)
    assert (later.swept.created, later.swept.emails) == (0, 0)
    assert len(reminder_mail(session)) == 4
    assert session.scalar(sa.select(sa.func.count(Reminder.id))) == 4


def test_a_meeting_cancelled_before_its_reminder_is_due_is_not_reminded(
    app, session, make, riverside
):
    team, _ = riverside
    meeting = meeting_on(make, team, london(2027, 1, 12, 12, 30))
    run_scheduler(app, london(2027, 1, 8, 15, 0))
    cancel_meeting(app, meeting.id)

    run_scheduler(app, london(2027, 1, 11, 7, 30))

    assert reminder_mail(session) == []
    assert session.scalar(sa.select(sa.func.count(Reminder.id))) == 0


def test_after_a_stop_the_scheduler_catches_up_once_and_skips_what_was_resolved(
    app, session, make, riverside
):
    team, people = riverside
    kept = meeting_on(make, team, london(2027, 1, 12, 12, 30))
    dropped = meeting_on(make, team, london(2027, 1, 12, 15, 0))
    run_scheduler(app, london(2027, 1, 11, 6, 59))
    # The scheduler is down from 07:00 to 11:00; meanwhile Sam sends apologies for one
    # meeting and the other is cancelled.
    send_apologies(app, kept.id, people["sam"].id)
    cancel_meeting(app, dropped.id)

    run_scheduler(app, london(2027, 1, 11, 11, 0))
    run_scheduler(app, london(2027, 1, 11, 11, 1))

    mail = reminder_mail(session)
    assert sorted(m.to for m in mail) == sorted(
        p.email for key, p in people.items() if key != "sam"
    )
    assert all("12:30" in m.body and "15:00" not in m.body for m in mail)


def test_a_meeting_already_started_is_not_reminded_however_late_the_catch_up(
    app, session, make, riverside
):
    team, _ = riverside
    meeting_on(make, team, london(2027, 1, 12, 9, 0))

    run_scheduler(app, london(2027, 1, 12, 9, 30))  # back only after it began

    assert reminder_mail(session) == []


def test_a_reminder_created_but_resolved_before_its_digest_is_skipped(
    app, session, make, riverside
):
    team, people = riverside
    meeting_on(make, team, london(2027, 1, 12, 12, 30))
    run_scheduler(app, london(2027, 1, 11, 7, 30))  # today's digests go
    # Booked after the digests went: its reminder is due (07:30 today) but a second
    # digest today would break "one a day", so it waits for tomorrow's...
    late = meeting_on(make, team, london(2027, 1, 12, 16, 0))
    run_scheduler(app, london(2027, 1, 11, 9, 0))
    assert len(reminder_mail(session)) == 4
    pending = session.scalars(sa.select(Reminder).where(Reminder.subject == f"meeting:{late.id}"))
    assert {r.status for r in pending} == {ReminderStatus.PENDING}

    # ...and it is cancelled before then: skipped, never sent.
    cancel_meeting(app, late.id)
    run_scheduler(app, london(2027, 1, 11, 9, 1))
    run_scheduler(app, london(2027, 1, 12, 7, 30))

    session.expire_all()
    reminders = session.scalars(sa.select(Reminder).where(Reminder.subject == f"meeting:{late.id}"))
    assert {r.status for r in reminders} == {ReminderStatus.SKIPPED}
    assert len(reminder_mail(session)) == 4


def test_a_reminder_that_missed_todays_digest_comes_in_tomorrows(app, session, make, riverside):
    team, people = riverside
    meeting_on(make, team, london(2027, 1, 12, 12, 30))
    run_scheduler(app, london(2027, 1, 11, 7, 30))
    late = meeting_on(make, team, london(2027, 1, 12, 16, 0))

    run_scheduler(app, london(2027, 1, 11, 9, 0))
    run_scheduler(app, london(2027, 1, 12, 7, 29))
    assert len(reminder_mail(session)) == 4
    run_scheduler(app, london(2027, 1, 12, 7, 30))

    mail = reminder_mail(session)
    assert len(mail) == 8
    tomorrow = [m for m in mail if m.subject.endswith("Tue 12 Jan 2027")]
    assert len(tomorrow) == 4 and all("16:00" in m.body for m in tomorrow)
    assert str(late.id) in tomorrow[0].body


def test_no_reminder_subject_or_body_leaks_more_than_the_team_and_the_meeting(
    app, session, make, riverside
):
    team, _ = riverside
    meeting_on(make, team, london(2027, 1, 12, 12, 30))
    run_scheduler(app, london(2027, 1, 11, 7, 30))

    for mail in reminder_mail(session):
        assert re.fullmatch(
            r"Your MDT reminders: Riverside Neighbourhood MDT, \w{3} \d+ \w{3} \d{4}", mail.subject
        )
        assert not re.search(r"\b\d{10}\b|\b\d{3} \d{3} \d{4}\b", mail.subject + mail.body)


def test_a_sweep_that_fails_half_way_marks_nothing_sent_and_the_next_sends_everything(
    app, session, make, riverside, monkeypatch
):
    from mdt.mail import outbox

    team, people = riverside
    meeting_on(make, team, london(2027, 1, 12, 12, 30))
    enqueue_texts = outbox.enqueue_texts

    def fails_on_the_third(session, letters):  # type: ignore[no-untyped-def]
        assert len(letters) >= 3
        enqueue_texts(session, letters[:2])  # two are queued, in the sweep's transaction
        raise OSError("disk full")

    monkeypatch.setattr(outbox, "enqueue_texts", fails_on_the_third)
    assert run_scheduler(app, london(2027, 1, 11, 7, 30)).swept is None
    assert reminder_mail(session) == []
    assert session.scalar(sa.select(sa.func.count(Reminder.id))) == 0, "all or nothing"

    monkeypatch.setattr(outbox, "enqueue_texts", enqueue_texts)
    run_scheduler(app, london(2027, 1, 11, 7, 31))
    assert sorted(m.to for m in reminder_mail(session)) == sorted(p.email for p in people.values())
