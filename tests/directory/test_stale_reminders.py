"""Whoever keeps a directory entry is reminded, once, on the morning it turns stale; pressing
"Still correct" ends it and starts the next 90 days. Directory reminders belong to no team."""

from __future__ import annotations

from datetime import time, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.exc import IntegrityError

from mdt.directory import operations
from mdt.directory.models import Service
from mdt.directory.reminders import directory_entry_stale
from mdt.extensions import db
from mdt.reminders.due import Window
from mdt.reminders.models import Reminder, ReminderDigest, ReminderStatus
from tests.reminders.support import choose_immediate, london, reminder_mail, run_scheduler

# Checked on Tuesday 5 January 2027: stale from Monday 5 April (90 days later).
CHECKED = london(2027, 1, 5, 14, 0)
TURNS_STALE = london(2027, 4, 5, 7, 30)
MINUTE = timedelta(minutes=1)


def _falls_clinic(make):  # type: ignore[no-untyped-def]
    owner = make.user(name="Jo Clarke", email="jo@community.example.org")
    return owner, make.service(owner, name="Falls clinic", verified_at=CHECKED)


def _directory_mail(session, person):  # type: ignore[no-untyped-def]
    return [m for m in reminder_mail(session) if m.to == person.email and "Directory" in m.body]


def _window(start, end):  # type: ignore[no-untyped-def]
    return Window(since=start, until=end, at=time(7, 30))


def test_the_producer_yields_for_the_owner_on_the_morning_the_entry_turns_stale(app, make):
    owner, service = _falls_clinic(make)
    with app.app_context():
        before = list(directory_entry_stale(db.session, _window(CHECKED, TURNS_STALE - MINUTE)))
        [due] = directory_entry_stale(db.session, _window(CHECKED, TURNS_STALE))
    assert before == []
    assert (due.user.id, due.subject, due.due_at) == (
        owner.id,
        f"service:{service.id}",
        TURNS_STALE,
    )
    assert due.team is None and due.zone == "Europe/London"


def test_owner_gets_one_reminder_in_a_directory_digest_and_no_more(app, session, make):
    owner, service = _falls_clinic(make)
    run_scheduler(app, TURNS_STALE - MINUTE)
    assert _directory_mail(session, owner) == []

    run_scheduler(app, TURNS_STALE)
    [mail] = _directory_mail(session, owner)
    assert mail.subject == "Your MDT reminders: the directory, Mon 5 Apr 2027"
    assert '"Falls clinic" was last confirmed on 5 January 2027' in mail.body
    assert f"http://mdt.test/directory/services/{service.id}" in mail.body

    for day in (6, 7, 12, 20):  # the same staleness is not reminded again
        run_scheduler(app, london(2027, 4, day, 7, 30))
    assert len(_directory_mail(session, owner)) == 1
    [row] = session.scalars(sa.select(Reminder).where(Reminder.user_id == owner.id))
    assert row.team_id is None and row.status is ReminderStatus.SENT


def test_still_correct_before_the_reminder_goes_cancels_it_and_starts_the_next_90_days(
    app, session, make
):
    owner, service = _falls_clinic(make)
    choose_immediate(app, owner.id)
    # Sunday 4 April, the day before it would turn stale, they confirm it.
    with time_machine.travel(london(2027, 4, 4, 18, 0), tick=False), app.app_context():
        operations.confirm_service(db.session.get(Service, service.id), owner)
        db.session.commit()
    run_scheduler(app, TURNS_STALE)
    run_scheduler(app, london(2027, 4, 6, 7, 30))
    assert _directory_mail(session, owner) == []
    # Confirmed on 4 April: stale on Saturday 3 July, reminded then (they chose one by one).
    run_scheduler(app, london(2027, 7, 3, 7, 30))
    [mail] = _directory_mail(session, owner)
    assert mail.subject.startswith("Reminder: Directory entry to check: Falls clinic")


def test_a_pending_reminder_is_skipped_once_the_entry_is_confirmed(app, session, make):
    owner, service = _falls_clinic(make)
    # Stale on Saturday 3 July; the digest waits for Monday, and Sunday they confirm it.
    service.verified_at = london(2027, 4, 4, 10, 0)
    session.commit()
    run_scheduler(app, london(2027, 7, 3, 7, 30))
    [row] = session.scalars(sa.select(Reminder).where(Reminder.user_id == owner.id))
    assert row.status is ReminderStatus.PENDING
    with time_machine.travel(london(2027, 7, 4, 12, 0), tick=False), app.app_context():
        operations.confirm_service(db.session.get(Service, service.id), owner)
        db.session.commit()
    run_scheduler(app, london(2027, 7, 5, 7, 30))
    assert _directory_mail(session, owner) == []
    session.expire_all()
    assert session.get(Reminder, row.id).status is ReminderStatus.SKIPPED


def test_a_person_is_reminded_of_their_own_entry(app, session, make):
    person = make.user(name="Sam Whitfield", created_at=CHECKED)
    run_scheduler(app, TURNS_STALE)
    [mail] = _directory_mail(session, person)
    assert 'your entry "Sam Whitfield"' in mail.body
    assert f"/directory/people/{person.id}" in mail.body


def test_nobody_is_reminded_about_an_entry_of_someone_who_has_left(app, session, make):
    owner, _service = _falls_clinic(make)
    owner.is_active = False
    session.commit()
    run_scheduler(app, TURNS_STALE)
    assert _directory_mail(session, owner) == []


def test_a_person_gets_one_teamless_digest_a_day(app, session, make):
    """NULL team ids never collide in the unique constraint: a partial index keeps the one."""
    person = make.user()
    day = TURNS_STALE.date()
    session.add(ReminderDigest(user_id=person.id, team_id=None, day=day))
    session.commit()
    session.add(ReminderDigest(user_id=person.id, team_id=None, day=day))
    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
