"""Real scheduler processes under faults: the database connection lost after the mail server
accepted a message, a slow mail server, a stop in the middle of delivery."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from mdt.mail.models import OutboxStatus
from tests.conftest import BACKEND
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
