"""The audit log's hash chain: how a row's hash is made, and walking the chain to check it.

Each row's hash is sha256 over the previous row's hash and the row's own content, written as
a JSON array (unambiguous whatever `what` holds). The chain runs in id order over the whole
installation. Verification starts at the first row there is: its previous_hash is taken as
given (the anchor), so disposing of the oldest rows after their retention period keeps the
chain valid, while a row deleted from the middle, edited or moved breaks the next link.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.audit.models import AuditChainHead, AuditEvent, AuditVerification

#: Rows read at a time while walking the chain (by id, so memory stays flat).
BATCH = 5000


def link(
    previous_hash: str,
    at: datetime,
    user_id: int | None,
    patient_id: int,
    action: str,
    what: str,
    client_id: int | None = None,
) -> str:
    stamp = at.astimezone(UTC).isoformat(timespec="microseconds")
    content: list[object] = [previous_hash, stamp, user_id, patient_id, action, what]
    if client_id is not None:  # an API client's row; rows of people hash as they always have
        content.append(client_id)
    text = json.dumps(content, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Outcome:
    rows_checked: int
    broken_event_id: int | None = None
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None


_COLUMNS = (
    AuditEvent.id,
    AuditEvent.at,
    AuditEvent.user_id,
    AuditEvent.client_id,
    AuditEvent.patient_id,
    AuditEvent.action,
    AuditEvent.what,
    AuditEvent.previous_hash,
    AuditEvent.hash,
)


def _rows(session: Session) -> Iterator[sa.Row[tuple[object, ...]]]:
    after = None
    while True:
        query = sa.select(*_COLUMNS).order_by(AuditEvent.id).limit(BATCH)
        if after is not None:
            query = query.where(AuditEvent.id > after)
        batch = session.execute(query).all()
        yield from batch
        if len(batch) < BATCH:
            return
        after = batch[-1].id


def verify(session: Session) -> Outcome:
    """Walk every row in id order; the first broken link ends the walk."""
    expected: str | None = None  # the first row's previous_hash is the anchor
    checked, last_id = 0, None
    for row in _rows(session):
        if expected is not None and row.previous_hash != expected:
            return Outcome(
                checked,
                row.id,
                f"event {row.id} does not follow event {last_id}: "
                "a row before it was deleted, changed or moved",
            )
        made = link(
            row.previous_hash,
            row.at,
            row.user_id,
            row.patient_id,
            row.action,
            row.what,
            row.client_id,
        )
        if row.hash != made:
            return Outcome(checked, row.id, f"event {row.id} was changed after it was written")
        expected, last_id, checked = row.hash, row.id, checked + 1
    return _check_head(session, checked, last_id, expected)


def _check_head(session: Session, checked: int, last_id: int | None, last: str | None) -> Outcome:
    head = session.get(AuditChainHead, 1)
    if head is None:
        return Outcome(checked, None, "the chain's head row is missing")
    if last_id is None:
        return Outcome(0)  # nothing left to check (every row disposed of, or none yet)
    if head.last_event_id != last_id or head.last_hash != last:
        return Outcome(
            checked,
            None,
            f"the newest events after event {last_id} are missing "
            f"(the chain's head names event {head.last_event_id})",
        )
    return Outcome(checked)


def verify_and_record(session: Session) -> Outcome:
    """verify, and keep its outcome for the audit log page (flushed, not committed)."""
    outcome = verify(session)
    session.add(
        AuditVerification(
            ok=outcome.ok,
            rows_checked=outcome.rows_checked,
            broken_event_id=outcome.broken_event_id,
            problem=outcome.problem,
        )
    )
    session.flush()
    return outcome


def last_verification(session: Session) -> AuditVerification | None:
    return session.scalar(
        sa.select(AuditVerification).order_by(AuditVerification.id.desc()).limit(1)
    )
