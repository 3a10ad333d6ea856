"""Real scheduler processes against one database: two at once sharing the sweep's shards,
a second refused (SQLite), one killed.

Each process is `python -m scheduler` (through tests/scheduler/clock.py, which only sets its
clock) sending to a real SMTP server in this test.
"""

from __future__ import annotations

import re
import signal
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from mdt.mail.models import OutboxMessage, OutboxStatus
from mdt.meetings.models import Invitation, Meeting
from mdt.reminders.models import SHARDS, Reminder, ReminderStatus, ReminderSweepMark
from mdt.reminders.shards import shard_of
from scheduler.jobs import run_sweep
from tests.conftest import BACKEND
from tests.reminders.support import london, meeting_on
from tests.scheduler.conftest import finish, start_scheduler

MONDAY_0730 = london(2027, 1, 11, 7, 30)


def _team_meeting_tomorrow(make, members: int) -> list[str]:  # type: ignore[no-untyped-def]
    """A team (a coordinator and `members` more) meeting on Tuesday 12 January 2027."""
    team = make.team(name="Riverside Neighbourhood MDT")
    for _ in range(members):
        make.member(team)
    meeting_on(make, team, london(2027, 1, 12, 12, 30))
    make.session.refresh(team)
    everyone = sorted(m.user.email for m in team.memberships)
    make.session.rollback()
    return everyone


def _outbox(session) -> list[OutboxMessage]:  # type: ignore[no-untyped-def]
    session.rollback()  # a fresh snapshot: the scheduler processes have committed since
    return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def _sent_count(output: str) -> int:
    return int(re.search(r"outbox: (\d+) sent", output).group(1))


def _swept(output: str) -> tuple[int, int]:
    """(shards swept, reminders due) from a `--once` run's summary."""
    found = re.search(r"(\d+) shard\(s\) swept: (\d+) reminder\(s\) due", output)
    return int(found.group(1)), int(found.group(2))


@pytest.mark.skipif(BACKEND != "postgresql", reason="two schedulers at once need PostgreSQL")
def test_two_schedulers_on_one_postgresql_database_send_each_reminder_once(
    live_app, live_session, live_make, empty_database_url, smtp_server
):
    everyone = _team_meeting_tomorrow(live_make, members=19)
    smtp_server.handler.delay = 0.03  # ~0.6 s of sending: the two overlap
    smtp_server.start()

    first = start_scheduler(empty_database_url, smtp_server, MONDAY_0730, "--once")
    second = start_scheduler(empty_database_url, smtp_server, MONDAY_0730, "--once")
    results = [finish(first), finish(second)]

    assert [code for code, _, _ in results] == [0, 0], results
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == everyone
    assert sum(_sent_count(out) for _, out, _ in results) == 20
    # Each claimed the shards the other was not sweeping (one that started later may sweep
    # the same shards again from where the other stopped, a few milliseconds: nothing due).
    assert sum(_swept(out)[1] for _, out, _ in results) == 20
    rows = _outbox(live_session)
    assert len(rows) == 20 and {(r.status, r.attempts) for r in rows} == {(OutboxStatus.SENT, 1)}
    assert live_session.scalar(sa.select(sa.func.count(Reminder.id))) == 20


@pytest.mark.skipif(BACKEND != "postgresql", reason="shards are claimed with row locks")
def test_while_another_scheduler_sweeps_a_shard_this_one_sweeps_the_others(
    live_app, live_session, live_make, empty_database_url
):
    _team_meeting_tomorrow(live_make, members=2)
    team_shard = shard_of(live_session.scalar(sa.select(Meeting.team_id)))
    live_session.rollback()
    with time_machine.travel(MONDAY_0730 - timedelta(minutes=1), tick=False):
        run_sweep(live_app, MONDAY_0730)  # the marks made and swept up to 07:29
    # Another scheduler, mid-sweep of the team's shard (NullPool: closing it really ends
    # its session, as when a scheduler dies).
    other = sa.create_engine(empty_database_url, poolclass=NullPool).connect()
    other.execute(
        sa.select(ReminderSweepMark).where(ReminderSweepMark.id == team_shard).with_for_update()
    )
    try:
        with time_machine.travel(MONDAY_0730, tick=False):
            result = run_sweep(live_app, MONDAY_0730)
        assert (result.shards, result.created) == (SHARDS - 1, 0)
    finally:
        other.close()  # its transaction ends: the shard is free again

    with time_machine.travel(MONDAY_0730, tick=False):
        result = run_sweep(live_app, MONDAY_0730)
    assert (result.shards, result.created) == (1, 3)
    live_session.rollback()
    assert live_session.scalar(sa.select(sa.func.count(Reminder.id))) == 3


def _a_team_in_every_shard(make, members: int) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
    """A team meeting on Tuesday in each shard; everyone's address, and the first shard's
    team."""
    teams = [make.team(name=f"Neighbourhood MDT {n}") for n in range(SHARDS)]
    for team in teams:
        for _ in range(members):
            make.member(team)
        meeting_on(make, team, london(2027, 1, 12, 12, 30))
    make.session.flush()
    assert {shard_of(team.id) for team in teams} == set(range(SHARDS))
    everyone = sorted(m.user.email for team in teams for m in team.memberships)
    first = next(team.id for team in teams if shard_of(team.id) == 0)
    make.session.commit()
    return everyone, first


@pytest.mark.skipif(BACKEND != "postgresql", reason="two schedulers at once need PostgreSQL")
def test_two_schedulers_split_the_shards_and_one_killed_mid_shard_loses_and_repeats_nothing(
    live_app, live_session, live_make, empty_database_url, smtp_server
):
    everyone, team_id = _a_team_in_every_shard(live_make, members=3)
    smtp_server.start()
    # The sweep of shard 0 (the first claimed) waits on it, holding the shard.
    blocker = _blocking_reminder(live_session, empty_database_url, team_id)
    doomed = start_scheduler(empty_database_url, smtp_server, MONDAY_0730, "--once")
    try:
        _wait_for(lambda: _backends_waiting_to_insert_reminders(live_session) == 1)
        # The second scheduler passes over the shard the first holds and sweeps the rest.
        code, out, err = finish(
            start_scheduler(empty_database_url, smtp_server, MONDAY_0730, "--once")
        )
        assert code == 0, err
        assert _swept(out) == (SHARDS - 1, 4 * (SHARDS - 1))
    finally:
        _kill(doomed, blocker, live_session)
    assert len(smtp_server.received) == 4 * (SHARDS - 1), "shard 0's mail never queued"

    later = MONDAY_0730 + timedelta(minutes=1)
    code, out, err = finish(start_scheduler(empty_database_url, smtp_server, later, "--once"))
    assert code == 0, err
    assert _swept(out) == (SHARDS, 4), "shard 0 again, from where it was (the rest: nothing)"
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == everyone, "each once"
    live_session.rollback()
    statuses = Counter(live_session.scalars(sa.select(Reminder.status)))
    assert statuses == {ReminderStatus.SENT: len(everyone)}


@pytest.mark.skipif(BACKEND != "sqlite", reason="the instance lock is SQLite's")
def test_a_second_scheduler_on_the_same_sqlite_database_is_refused(
    live_app, live_session, live_make, empty_database_url, smtp_server
):
    everyone = _team_meeting_tomorrow(live_make, members=4)
    smtp_server.start()
    running = start_scheduler(empty_database_url, smtp_server, MONDAY_0730)
    try:
        _wait_for(lambda: len(smtp_server.received) == 5)

        code, _, err = finish(start_scheduler(empty_database_url, smtp_server, MONDAY_0730))
        assert code == 3
        assert f"another scheduler (pid {running.pid}) is already running" in err
    finally:
        running.send_signal(signal.SIGTERM)  # stops cleanly, releasing the lock
        code, _, err = finish(running)
    assert code == 0 and "stopped" in err

    code, out, _ = finish(start_scheduler(empty_database_url, smtp_server, MONDAY_0730, "--once"))
    assert code == 0 and "outbox: 0 sent" in out
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == everyone


@pytest.mark.skipif(BACKEND != "sqlite", reason="the instance lock is SQLite's")
def test_a_second_scheduler_reaching_the_sqlite_file_through_a_symlink_is_refused(
    live_app, empty_database_url, smtp_server, tmp_path
):
    database = Path(make_url(empty_database_url).database)
    (tmp_path / "linked.db").symlink_to(database)  # the file, by another name
    (tmp_path / "linked-folder").symlink_to(database.parent)  # a folder on the way
    smtp_server.start()
    running = start_scheduler(empty_database_url, smtp_server, MONDAY_0730)
    try:
        lock = database.with_name(database.name + ".scheduler-lock")
        _wait_for(lambda: lock.exists() and lock.read_text() == str(running.pid))

        for other in (tmp_path / "linked.db", tmp_path / "linked-folder" / database.name):
            code, _, err = finish(
                start_scheduler(f"sqlite:///{other}", smtp_server, MONDAY_0730, "--once")
            )
            assert code == 3, err
            assert f"another scheduler (pid {running.pid}) is already running" in err
    finally:
        running.send_signal(signal.SIGTERM)
        code, _, err = finish(running)
    assert code == 0, err


def test_a_scheduler_killed_mid_sweep_loses_nothing_and_repeats_at_most_the_message_in_flight(
    live_app, live_session, live_make, empty_database_url, smtp_server
):
    everyone = _team_meeting_tomorrow(live_make, members=4)
    # The server accepts the third message, then keeps its goodbye back: the scheduler has
    # handed the message over but not yet recorded that. Then it is killed.
    smtp_server.handler.hold_at = 3
    smtp_server.start()
    doomed = start_scheduler(empty_database_url, smtp_server, MONDAY_0730)
    try:
        assert smtp_server.handler.holding.wait(timeout=30), "the scheduler never got there"
    finally:
        doomed.send_signal(signal.SIGKILL)
        assert finish(doomed)[0] == -signal.SIGKILL
    smtp_server.handler.release.set()

    rows = _outbox(live_session)
    assert [(r.status, r.attempts) for r in rows] == [
        (OutboxStatus.SENT, 1),
        (OutboxStatus.SENT, 1),
        (OutboxStatus.QUEUED, 1),  # in flight when killed: the server has it, we don't know
        (OutboxStatus.QUEUED, 0),
        (OutboxStatus.QUEUED, 0),
    ]
    in_flight = rows[2].recipients
    statuses = live_session.scalars(sa.select(Reminder.status))  # same snapshot as rows
    assert set(statuses) == {ReminderStatus.SENT}, "each reminder is in its queued email"
    live_session.rollback()  # on SQLite an open transaction would hold the write lock

    # Restarted a minute later (on SQLite the kill freed the instance lock): the rest go.
    code, _, err = finish(
        start_scheduler(
            empty_database_url, smtp_server, MONDAY_0730 + timedelta(minutes=1), "--once"
        )
    )
    assert code == 0, err
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == everyone, "nothing lost"

    # The message in flight is retried once its sender's claim lapses: the one duplicate.
    later = MONDAY_0730 + timedelta(minutes=17)
    code, _, err = finish(start_scheduler(empty_database_url, smtp_server, later, "--once"))
    assert code == 0, err
    counts = Counter(r.rcpt_tos[0] for r in smtp_server.received)
    assert sorted(counts) == everyone and sum(counts.values()) == len(everyone) + 1
    [(twice, _)] = [(address, n) for address, n in counts.items() if n == 2]
    assert twice == in_flight
    ids = Counter(str(r.message["Message-ID"]) for r in smtp_server.received)
    assert max(ids.values()) == 2 and len(ids) == len(everyone), "the same message, repeated"
    assert {r.status for r in _outbox(live_session)} == {OutboxStatus.SENT}


@pytest.mark.skipif(BACKEND != "postgresql", reason="waits on a PostgreSQL row lock")
def test_a_scheduler_killed_inside_its_sweep_transaction_leaves_nothing_half_done(
    live_app, live_session, live_make, empty_database_url, smtp_server
):
    everyone = _team_meeting_tomorrow(live_make, members=4)
    team_id = live_session.scalar(sa.select(Meeting.team_id))
    smtp_server.start()
    blocker = _blocking_reminder(live_session, empty_database_url, team_id)
    doomed = start_scheduler(empty_database_url, smtp_server, MONDAY_0730)
    try:
        _wait_for(lambda: _backends_waiting_to_insert_reminders(live_session) == 1)
    finally:
        _kill(doomed, blocker, live_session)

    assert live_session.scalar(sa.select(sa.func.count(Reminder.id))) == 0
    assert _outbox(live_session) == [] and smtp_server.received == []

    later = MONDAY_0730 + timedelta(minutes=1)
    code, _, err = finish(start_scheduler(empty_database_url, smtp_server, later, "--once"))
    assert code == 0, err
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == everyone


def _blocking_reminder(session, url: str, team_id: int) -> sa.Connection:  # type: ignore[no-untyped-def]
    """An uncommitted row with the key of one of the team's Monday reminders, from another
    connection: a sweep's INSERT of that reminder waits on it, mid-sweep."""
    meeting_id, user_id = session.execute(
        sa.select(Invitation.meeting_id, Invitation.user_id)
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(Meeting.team_id == team_id)
        .limit(1)
    ).one()
    session.rollback()
    blocker = sa.create_engine(url, poolclass=NullPool).connect()
    blocker.execute(
        sa.insert(Reminder).values(
            kind="meeting_tomorrow",
            subject=f"meeting:{meeting_id}",
            user_id=user_id,
            team_id=team_id,
            due_at=MONDAY_0730,
            status=ReminderStatus.PENDING,
            created_at=MONDAY_0730,
        )
    )
    return blocker


def _kill(doomed, blocker: sa.Connection, session) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL the scheduler, then end the blocking transaction, and wait until the killed
    scheduler's database session is gone (its transaction rolled back)."""
    doomed.send_signal(signal.SIGKILL)
    finish(doomed)
    blocker.rollback()
    blocker.close()
    _wait_for(lambda: _other_backends(session) == 0)


def _backends_waiting_to_insert_reminders(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(
        sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO reminder%'"
        )
    )


def _other_backends(session) -> int:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(
        sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
    )


def _wait_for(condition, seconds: float = 30):  # type: ignore[no-untyped-def]
    import time

    deadline = time.monotonic() + seconds
    while not (found := condition()):
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)
    return found
