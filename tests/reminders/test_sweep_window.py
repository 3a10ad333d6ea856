"""Each minute's sweep asks only about that minute (where the last sweep stopped), yet a
scheduler back after days catches up, a weekend's pending reminder still goes on Monday (or
is skipped if its action was closed), and what is raised after its due time is still sent."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from mdt.actions import operations as actions
from mdt.actions.models import ActionPoint
from mdt.extensions import db
from mdt.reminders.models import SHARDS, Reminder, ReminderStatus, ReminderSweepMark
from mdt.reminders.shards import shard_of
from mdt.teams.models import TeamRole
from tests.queries import count_queries
from tests.reminders.support import london, meeting_on, reminder_mail, run_scheduler


def _team(make):  # type: ignore[no-untyped-def]
    sam = make.user(name="Sam Whitfield", email="sam@council.example.org")
    team = make.team(name="Riverside MDT")
    make.member(team, sam, role=TeamRole.CORE_MEMBER, discipline="Adult social care")
    meeting = meeting_on(make, team, london(2027, 1, 5, 12, 30))
    meeting.minutes_sent_at = meeting.ends_at
    case = make.case(meeting, make.patient(), sam)
    return sam, case


def _overdue(make, case, owner, count: int) -> None:  # type: ignore[no-untyped-def]
    for n in range(count):
        make.action(case, owner, due_date=date(2026, 6, 1 + n % 28))


def _sam_mail(session, sam):  # type: ignore[no-untyped-def]
    return [m for m in reminder_mail(session) if m.to == sam.email]


def _statements_a_minute_later(app, moment):  # type: ignore[no-untyped-def]
    run_scheduler(app, moment)  # sends what is due: the weekly "overdue"s among it
    with count_queries(app) as statements:
        run_scheduler(app, moment + timedelta(minutes=1))
    return statements


def test_a_sweep_a_minute_after_the_last_asks_nothing_of_actions_or_meetings(app, session, make):
    sam, case = _team(make)
    _overdue(make, case, sam, 3)
    few = _statements_a_minute_later(app, london(2027, 1, 13, 10, 0))
    _overdue(make, case, sam, 27)
    many = _statements_a_minute_later(app, london(2027, 1, 14, 10, 0))  # before any digest

    # A shard's empty minute: claim, rechecks, time zones, reminders, mark; and once, the
    # marks, the claim that finds none left, the heartbeat and delivery's look.
    assert len(few) == len(many) <= 5 + 5 * SHARDS, many
    assert not [s for s in many if "FROM action_point" in s or "FROM meeting" in s]


def test_after_three_days_without_a_sweep_the_next_catches_up(app, session, make):
    sam, case = _team(make)
    make.action(case, sam, due_date=date(2027, 1, 22))  # a Friday: "due soon" on Tuesday
    run_scheduler(app, london(2027, 1, 18, 10, 0))  # Monday; then down until Thursday
    assert _sam_mail(session, sam) == []

    run_scheduler(app, london(2027, 1, 21, 10, 0))

    [mail] = _sam_mail(session, sam)
    assert "due soon (due Friday 22 January 2027)" in mail.body


def test_a_weekend_reminder_goes_on_monday_unless_its_action_was_done_meanwhile(app, session, make):
    sam, case = _team(make)
    kept = make.action(case, sam, due_date=date(2027, 1, 16), description="Kept")  # Saturday
    done = make.action(case, sam, due_date=date(2027, 1, 16), description="Done")
    run_scheduler(app, london(2027, 1, 15, 10, 0))  # Friday: the "due soon"s go
    run_scheduler(app, london(2027, 1, 16, 7, 30))  # due today, but no digest at weekends
    _close(app, done.id, sam.id)
    run_scheduler(app, london(2027, 1, 17, 10, 0))

    run_scheduler(app, london(2027, 1, 18, 7, 30))  # Monday's digest

    monday = _sam_mail(session, sam)[-1]
    assert "Mon 18 Jan" in monday.subject and monday.body.count("due today") == 1
    assert _statuses(session, kept) == {ReminderStatus.SENT}
    assert ReminderStatus.SKIPPED in _statuses(session, done)

    _reopen(app, done.id, sam.id)  # closed by mistake: its reminder is wanted again
    run_scheduler(app, london(2027, 1, 18, 9, 1))
    assert ReminderStatus.PENDING in _statuses(session, done), "waits for tomorrow's digest"
    run_scheduler(app, london(2027, 1, 19, 7, 30))
    tuesday = _sam_mail(session, sam)[-1]
    assert "Tue 19 Jan" in tuesday.subject and tuesday.body.count("due today") == 1
    assert _statuses(session, done) == {ReminderStatus.SENT}


def test_a_weekend_minute_leaves_reminders_waiting_for_monday_unjudged(app, session, make):
    """Saturday's weekly "overdue" reminders wait for Monday's digest; the minutes between
    do not derive them again (they are judged when they could go out)."""
    sam, case = _team(make)

    def saturday_minute(count: int, saturday: date) -> list[str]:
        _overdue(make, case, sam, count)
        run_scheduler(app, london(saturday.year, saturday.month, saturday.day, 7, 30))
        waiting = session.scalar(
            sa.select(sa.func.count()).where(Reminder.status == ReminderStatus.PENDING)
        )
        assert waiting >= count // 7
        return _statements_a_minute_later(
            app, london(saturday.year, saturday.month, saturday.day, 10, 0)
        )

    few = saturday_minute(3, date(2027, 1, 16))
    many = saturday_minute(27, date(2027, 1, 23))
    assert len(few) == len(many), many
    assert not [s for s in many if "FROM action_point" in s or "FROM meeting" in s]


def test_an_action_raised_due_in_two_working_days_is_reminded_due_soon_at_once(app, session, make):
    sam, case = _team(make)
    run_scheduler(app, london(2027, 1, 13, 9, 59))  # Wednesday
    make.action(case, sam, due_date=date(2027, 1, 15))  # "due soon" was due on Tuesday

    run_scheduler(app, london(2027, 1, 13, 10, 0))

    [mail] = _sam_mail(session, sam)
    assert "due soon (due Friday 15 January 2027)" in mail.body


def test_the_sweep_marks_how_far_it_swept_and_a_failed_sweep_leaves_the_mark(
    app, session, make, monkeypatch
):
    from mdt.mail import outbox

    sam, case = _team(make)
    make.action(case, sam, due_date=date(2027, 1, 19))
    run_scheduler(app, london(2027, 1, 18, 10, 0))
    assert _swept_until(session) == london(2027, 1, 18, 10, 0)

    def disk_full(session, letters):  # type: ignore[no-untyped-def]
        raise OSError("disk full")

    monkeypatch.setattr(outbox, "enqueue_texts", disk_full)
    assert run_scheduler(app, london(2027, 1, 19, 7, 30)).swept is None
    # The shard whose mail failed is where it was (shards swept before it stay swept).
    assert _swept_until(session, case.meeting.team_id) == london(2027, 1, 18, 10, 0)

    monkeypatch.undo()
    run_scheduler(app, london(2027, 1, 19, 7, 45))  # covers the failed sweep's minutes
    assert _swept_until(session) == london(2027, 1, 19, 7, 45)
    assert "due today" in _sam_mail(session, sam)[-1].body


def _close(app, action_id: int, user_id: int) -> None:  # type: ignore[no-untyped-def]
    _operate(app, action_id, user_id, lambda a, u: actions.complete(a, None, "Done", u))


def _reopen(app, action_id: int, user_id: int) -> None:  # type: ignore[no-untyped-def]
    _operate(app, action_id, user_id, lambda a, u: actions.reopen(a, None, "Not done", u))


def _operate(app, action_id, user_id, verb):  # type: ignore[no-untyped-def]
    from mdt.accounts.models import User

    with app.test_request_context():
        verb(db.session.get(ActionPoint, action_id), db.session.get(User, user_id))
        db.session.commit()


def _statuses(session, action):  # type: ignore[no-untyped-def]
    session.expire_all()
    rows = session.scalars(
        sa.select(Reminder.status).where(Reminder.subject == f"action:{action.id}")
    )
    return set(rows)


def _swept_until(session, team_id: int | None = None):  # type: ignore[no-untyped-def]
    """Where the team's shard's sweep stopped, or every shard's (then all the same)."""
    session.expire_all()
    marks = sa.select(ReminderSweepMark.swept_until)
    if team_id is not None:
        marks = marks.where(ReminderSweepMark.id == shard_of(team_id))
    [until] = set(session.scalars(marks))
    return until


def test_a_reminder_left_waiting_past_the_look_back_is_skipped_at_the_next_digest_time(
    app, session, make
):
    """Only a scheduler down for days leaves one: it is never derived again, so never sent;
    the next digest time's sweep marks it skipped rather than leaving it pending for ever."""
    sam, case = _team(make)
    make.action(case, sam, due_date=date(2027, 1, 19))
    session.add(
        Reminder(
            kind="action_due",
            subject="action:999999",
            user_id=sam.id,
            team_id=case.meeting.team_id,
            due_at=london(2027, 1, 8, 7, 30),  # eleven days before the sweep below
        )
    )
    session.commit()

    run_scheduler(app, london(2027, 1, 19, 7, 30))

    session.expire_all()
    stale = session.scalar(sa.select(Reminder).where(Reminder.subject == "action:999999"))
    assert stale.status is ReminderStatus.SKIPPED
    assert "due today" in _sam_mail(session, sam)[-1].body, "the rest of the sweep as usual"


def test_no_index_of_reminders_holds_their_status(session):
    """Marking thousands of reminders sent then touches no index (on PostgreSQL, with room
    left on each page, the row is changed where it is: a HOT update)."""
    indexes = sa.inspect(session.get_bind()).get_indexes("reminder")
    unique = sa.inspect(session.get_bind()).get_unique_constraints("reminder")
    columns = {c for index in [*indexes, *unique] for c in index["column_names"]}
    assert "due_at" in columns and "status" not in columns
    if session.get_bind().dialect.name == "postgresql":
        options = session.execute(
            sa.text("SELECT reloptions FROM pg_class WHERE relname = 'reminder'")
        ).scalar()
        assert "fillfactor=50" in options
