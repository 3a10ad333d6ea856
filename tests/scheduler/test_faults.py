"""Real scheduler processes under faults: the database connection lost after the mail server
accepted a message, a slow mail server, a stop in the middle of delivery."""

from __future__ import annotations

import signal
from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from mdt.extensions import db
from mdt.mail import outbox
from mdt.mail.models import OutboxStatus
from mdt.reminders.models import SchedulerHeartbeat
from tests.conftest import BACKEND
from tests.reminders.support import choose_immediate, london, meeting_on
from tests.scheduler.conftest import finish, start_scheduler
from tests.scheduler.test_processes import (
    MONDAY_0730,
    _outbox,
    _team_meeting_tomorrow,
    _wait_for,
)


@pytest.mark.skipif(BACKEND != "postgresql", reason="terminates a PostgreSQL backend")
def test_a_connection_lost_after_the_server_accepted_a_message_never_sends_it_twice(
    live_app, live_session, live_make, empty_database_url, smtp_server
):
    everyone = _team_meeting_tomorrow(live_make, members=4)
    # When the second message reaches the server, the test locks its row, so the scheduler's
    # write of "sent" waits; the test then terminates that connection (as a failover or
    # pg_terminate_backend would) and lets the row go.
    blocker = sa.create_engine(empty_database_url, poolclass=NullPool).connect()
    locked = []

    def lock_the_second_row(envelope) -> None:  # type: ignore[no-untyped-def]
        if len(smtp_server.received) == 1:
            blocker.execute(
                sa.text("SELECT id FROM outbox_message WHERE recipients = :to FOR UPDATE"),
                {"to": envelope.rcpt_tos[0]},
            )
            locked.append(envelope.rcpt_tos[0])

    smtp_server.handler.on_data = lock_the_second_row
    smtp_server.start()
    scheduler = start_scheduler(empty_database_url, smtp_server, MONDAY_0730, "--once")
    try:
        pid = _wait_for(lambda: _backend_waiting_to(live_session, "UPDATE outbox_message"))
        assert locked, "the write waiting is the one after the server accepted"
        live_session.execute(sa.select(sa.func.pg_terminate_backend(pid)))
        _wait_for(lambda: not _alive(live_session, pid))
    finally:
        blocker.rollback()
        blocker.close()
    code, out, err = finish(scheduler)

    assert code == 0, err
    assert "the database connection failed (AdminShutdown); trying again on a new one" in err
    assert "outbox: 5 sent" in out, "the rest of the batch went"
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == everyone
    assert {(r.status, r.attempts) for r in _outbox(live_session)} == {(OutboxStatus.SENT, 1)}

    # Later runs, past the time a claimed message is taken over, send nothing again.
    for minutes in (1, 17, 40):
        later = MONDAY_0730 + timedelta(minutes=minutes)
        code, out, err = finish(start_scheduler(empty_database_url, smtp_server, later, "--once"))
        assert code == 0 and "outbox: 0 sent" in out, err
    assert Counter(r.rcpt_tos[0] for r in smtp_server.received) == Counter(everyone)


def _backlog(app, count: int) -> list[str]:  # type: ignore[no-untyped-def]
    """`count` messages queued and due (as after a bulk send, or the mail server's outage)."""
    letters = [outbox.Letter(f"backlog{n}@example.org", "Backlog", "Text\n") for n in range(count)]
    with app.app_context():
        outbox.enqueue_texts(db.session, letters)
        db.session.commit()
    return [letter.to for letter in letters]


def test_with_a_slow_mail_server_the_sweep_keeps_its_minute_and_its_reminder_goes_on_it(
    live_app, live_session, live_make, empty_database_url, smtp_server
):
    kit = live_make.user(email="kit@example.org")
    team = live_make.team(coordinator=kit, name="Riverside Neighbourhood MDT")
    meeting_on(live_make, team, london(2027, 1, 12, 12, 30))
    kit_id = kit.id
    live_session.commit()
    choose_immediate(live_app, kit_id)  # each reminder on its own, as soon as it is due
    backlog = _backlog(live_app, 40)
    smtp_server.handler.delay = 0.5  # 20 s of sending, across 07:30
    smtp_server.start()

    # The scheduler's clock starts at 07:29:48; Kit's reminder falls due at 07:30:00.
    scheduler = start_scheduler(
        empty_database_url, smtp_server, MONDAY_0730 - timedelta(seconds=12)
    )
    try:
        # (However slowly a busy machine starts the process: the time it is sent is checked
        # on the process's own clock, below.)
        reminded = _wait_for_or_false(lambda: "kit@example.org" in _recipients(smtp_server), 90)
        sent_so_far = len(smtp_server.received)
        live_session.rollback()
        heartbeat = live_session.scalar(sa.select(sa.func.max(SchedulerHeartbeat.last_seen)))
        live_session.rollback()  # on SQLite an open transaction holds the one write lock
    finally:
        scheduler.send_signal(signal.SIGTERM)
        code, _, err = finish(scheduler)

    assert code == 0 and reminded, err
    [kits] = [r for r in _outbox(live_session) if r.recipients == "kit@example.org"]
    assert kits.sent_at - MONDAY_0730 < timedelta(seconds=5), "on its minute (the process's clock)"
    assert sent_so_far < len(backlog), "ahead of the backlog still being sent"
    assert heartbeat >= MONDAY_0730, "the sweep beat on its minute while delivery was busy"


def test_sigterm_during_delivery_stops_after_the_message_in_flight(
    live_app, live_session, empty_database_url, smtp_server
):
    backlog = _backlog(live_app, 20)
    smtp_server.handler.delay = 0.3
    smtp_server.start()
    scheduler = start_scheduler(empty_database_url, smtp_server, MONDAY_0730)
    try:
        _wait_for(lambda: len(smtp_server.received) >= 3)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        signalled = len(smtp_server.received)
        code, _, err = finish(scheduler)

    assert code == 0 and "stopped" in err, err
    assert len(smtp_server.received) <= signalled + 1, "at most the message in flight"
    rows = _outbox(live_session)
    assert len(rows) == len(backlog)
    sent = {r.recipients for r in rows if r.status is OutboxStatus.SENT}
    assert sent == set(_recipients(smtp_server)), "each message handed over recorded sent"
    waiting = [r for r in rows if r.status is not OutboxStatus.SENT]
    assert {(r.status, r.attempts) for r in waiting} == {(OutboxStatus.QUEUED, 0)}


def _wait_for_or_false(condition, seconds: float) -> bool:  # type: ignore[no-untyped-def]
    try:
        return bool(_wait_for(condition, seconds))
    except AssertionError:
        return False


def _recipients(smtp_server) -> list[str]:  # type: ignore[no-untyped-def]
    return [r.rcpt_tos[0] for r in smtp_server.received]


def _backend_waiting_to(session, statement: str) -> int | None:  # type: ignore[no-untyped-def]
    session.rollback()
    return session.scalar(
        sa.text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND wait_event_type = 'Lock' AND query LIKE :statement"
        ),
        {"statement": statement + "%"},
    )


def _alive(session, pid: int) -> bool:  # type: ignore[no-untyped-def]
    session.rollback()
    found = session.scalar(
        sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = :p"), {"p": pid}
    )
    return bool(found)
