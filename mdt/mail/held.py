"""Mail held after a restore: it was waiting when the backup was taken, so the original may
have sent it since. It stays out of delivery (the due query takes queued rows only) until an
administrator releases it, or drops it (kept, never sent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.core.time import now_utc
from mdt.mail.models import OutboxMessage, OutboxStatus

#: What the held page says mail was held by: the latest restore, as backups (above mail)
#: register it. None until they do.
_HELD_BY: list[Callable[[Session], Any]] = []


def register_held_by(load: Callable[[Session], Any]) -> None:
    """`load(session)` returns what held the mail, for the page to describe, or None."""
    _HELD_BY[:] = [load]


def held_by(session: Session) -> Any:
    return _HELD_BY[0](session) if _HELD_BY else None


def hold_waiting(session: Session, queued_before: datetime) -> int:
    """Hold every message queued, or claimed by a sender, before `queued_before`; returns
    how many. A claimed message is a queued one whose next try is pushed past its lease."""
    result = session.execute(
        sa.update(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.QUEUED,
            OutboxMessage.created_at <= queued_before,
        )
        .values(status=OutboxStatus.HELD)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined, no-any-return]


def held_messages(session: Session) -> list[OutboxMessage]:
    return list(
        session.scalars(
            sa.select(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.HELD)
            .order_by(OutboxMessage.created_at, OutboxMessage.id)
        )
    )


def release(session: Session, message_id: int) -> bool:
    """Send it with the next delivery; False if it is not (or no longer) held."""
    return _decide(session, message_id, status=OutboxStatus.QUEUED, next_attempt_at=now_utc())


def drop(session: Session, message_id: int, by: str) -> bool:
    """Never send it; the row stays, saying who dropped it. False if it is not held."""
    note = f"dropped after a restore by {by}"[:1000]
    return _decide(session, message_id, status=OutboxStatus.DROPPED, last_error=note)


def release_all(session: Session) -> int:
    return _decide_all(session, status=OutboxStatus.QUEUED, next_attempt_at=now_utc())


def drop_all(session: Session, by: str) -> int:
    note = f"dropped after a restore by {by}"[:1000]
    return _decide_all(session, status=OutboxStatus.DROPPED, last_error=note)


def _decide(session: Session, message_id: int, **values: object) -> bool:
    # Conditional, so two administrators deciding at once cannot both act on one message.
    return _held_update(session, [OutboxMessage.id == message_id], values) == 1


def _decide_all(session: Session, **values: object) -> int:
    return _held_update(session, [], values)


def _held_update(
    session: Session, where: list[sa.ColumnElement[bool]], values: dict[str, object]
) -> int:
    result = session.execute(
        sa.update(OutboxMessage)
        .where(*where, OutboxMessage.status == OutboxStatus.HELD)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount  # type: ignore[attr-defined, no-any-return]
