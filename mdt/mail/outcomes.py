"""Recording each delivery's claim and outcome: in a short transaction of its own, tried
again on a new connection when the database connection fails, and kept in memory for the
next run if the database stays away (so a message the server accepted is never sent again
by this process)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

from mdt.core.time import now_utc
from mdt.mail.models import OutboxMessage

log = logging.getLogger(__name__)

T = TypeVar("T")

MAX_BACKOFF = timedelta(hours=1)
_ERROR_MAX = OutboxMessage.__table__.c.last_error.type.length


def error(text: str) -> str:
    """The error as its column holds it."""
    return text[:_ERROR_MAX]


def retry_later(attempts: int, text: str) -> dict[str, Any]:
    return {"last_error": error(text), "next_attempt_at": retry_at(now_utc(), attempts)}


def retry_at(now: datetime, attempts: int) -> datetime:
    """The minute `backoff` after this try's minute. The scheduler delivers a few
    milliseconds after each minute begins: a time a few milliseconds past the minute
    would wait for the next one (retries came 3 and 5 minutes apart, not 2 and 4)."""
    return now.replace(second=0, microsecond=0) + backoff(attempts)


def backoff(attempts: int) -> timedelta:
    """2, 4, 8 ... minutes, then hourly. The exponent is capped first: 2**attempts minutes
    overflows timedelta after about 40 attempts, which a two-day outage reaches."""
    return min(timedelta(minutes=2 ** min(attempts, 10)), MAX_BACKOFF)


#: Pauses before trying a transaction again on a new connection when the database
#: connection failed (a terminated backend, a failover, SQLite busy): about 7.5 s in all.
RETRY_PAUSES = (0.5, 1.0, 2.0, 4.0)
#: Outcomes this process could not record, by message id, written first by the next run.
#: Until then these messages are not claimed here: one the server accepted is never sent
#: again by this process, whatever the database did meanwhile.
_UNRECORDED: dict[int, dict[str, Any]] = {}
_UNRECORDED_LOCK = threading.Lock()


def record(sessions: sessionmaker[Session], row_id: int, values: dict[str, Any]) -> bool:
    """Write a message's outcome at once, in a transaction of its own; if the database
    stays away, keep it for the next run (False)."""
    try:
        in_own_transaction(sessions, partial(_write_outcome, row_id, values))
    except sa.exc.DBAPIError:
        with _UNRECORDED_LOCK:
            _UNRECORDED[row_id] = values
        log.exception(
            "outbox message %s: could not record its outcome; kept to record in the next run",
            row_id,
        )
        return False
    return True


def record_earlier_outcomes(sessions: sessionmaker[Session]) -> bool:
    """Write what earlier runs could not; False if the database is still away."""
    with _UNRECORDED_LOCK:
        waiting = dict(_UNRECORDED)
    for row_id, values in waiting.items():
        try:
            in_own_transaction(sessions, partial(_write_outcome, row_id, values))
        except sa.exc.DBAPIError:
            log.warning("outbox: %s outcome(s) still not recorded", len(waiting))
            return False
        with _UNRECORDED_LOCK:
            _UNRECORDED.pop(row_id, None)
        log.info("outbox message %s: outcome recorded late", row_id)
    return True


def unrecorded_ids() -> list[int]:
    """The messages this process could not record: sent or refused, as far as it knows."""
    with _UNRECORDED_LOCK:
        return list(_UNRECORDED)


def unrecorded() -> int:
    """How many outcomes this process could not record (the scheduler's --once says so)."""
    with _UNRECORDED_LOCK:
        return len(_UNRECORDED)


def _write_outcome(row_id: int, values: dict[str, Any], session: Session) -> None:
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == row_id).values(**values))


def in_own_transaction(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """`work` in a short transaction of its own, committed; tried again, on a new
    connection, while the failure is the database connection's."""
    for pause in (*RETRY_PAUSES, None):
        with sessions() as session:
            try:
                result = work(session)
                session.commit()
                return result
            except sa.exc.DBAPIError as exc:
                if pause is None or not _connection_failed(exc):
                    raise
                log.warning(
                    "outbox: the database connection failed (%s); trying again on a new one",
                    type(exc.orig).__name__,
                )
        time.sleep(pause)
    raise AssertionError("unreachable: the last try returns or raises")


def _connection_failed(exc: sa.exc.DBAPIError) -> bool:
    # OperationalError: the server went away or ended the session (psycopg's AdminShutdown),
    # or SQLite stayed locked past its busy timeout; all worth a new connection.
    return exc.connection_invalidated or isinstance(exc, sa.exc.OperationalError)
