"""The retention run: patients past retention, in batches, then the oldest audit rows.

A job, so it commits: each batch of patients in a transaction of its own (a failure loses
one batch, which is due again tomorrow), each batch of audit rows likewise. Run daily by the
scheduler, or now with ``mdt retention``; ``mdt retention --dry-run`` lists what would go
and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

import sqlalchemy as sa
from dateutil.relativedelta import relativedelta

from mdt.audit.models import AuditEvent
from mdt.config import ConfigError
from mdt.core.days import SERVICE_ZONE, to_local
from mdt.extensions import db
from mdt.patients.models import Patient
from mdt.retention import operations, queries
from mdt.retention.rules import Standing

log = logging.getLogger(__name__)

#: The PostgreSQL advisory lock a retention batch holds for its transaction ("mdtr"), so
#: two schedulers never dispose of the same patients at once.
RETENTION_LOCK_KEY = 0x6D647472


@dataclass
class RetentionRun:
    today: date
    dry_run: bool
    due: list[Standing] = field(default_factory=list)
    disposed: int = 0
    #: Audit rows past their own period: deleted, or (dry run) that would be.
    audit_rows: int = 0

    def summary(self) -> str:
        if self.dry_run:
            return (
                f"Dry run on {self.today}: {len(self.due)} patient(s) would be disposed of, "
                f"{self.audit_rows} audit row(s); nothing was changed."
            )
        return (
            f"Retention on {self.today}: {self.disposed} patient(s) disposed of, "
            f"{self.audit_rows} audit row(s)."
        )


def hash_key(config: Mapping[str, Any]) -> str:
    return str(config.get("RETENTION_HASH_KEY") or config["SECRET_KEY"])


def run_at(config: Mapping[str, Any]) -> time:
    raw = str(config["RETENTION_RUN_AT"])
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"[retention] run_at must be a time such as 02:30, not {raw!r}") from None


def audit_cutoff(config: Mapping[str, Any], now: datetime) -> datetime:
    return now - relativedelta(years=int(config["RETENTION_AUDIT_YEARS"]))


def run(config: Mapping[str, Any], now: datetime, *, dry_run: bool = False) -> RetentionRun:
    today = to_local(now, SERVICE_ZONE).date()
    result = RetentionRun(today, dry_run, due=queries.due_now(config, today))
    cutoff = audit_cutoff(config, now)
    if dry_run:
        result.audit_rows = _old_audit_rows(cutoff)
        db.session.rollback()
        return result
    batch = int(config["RETENTION_BATCH_SIZE"])
    for start in range(0, len(result.due), batch):
        ids = [s.patient_id for s in result.due[start : start + batch]]
        result.disposed += _dispose_batch(config, ids, today)
    result.audit_rows = _dispose_audit(cutoff, batch * 100)
    return result


def _dispose_batch(config: Mapping[str, Any], ids: list[int], today: date) -> int:
    """Looked at again inside the batch's own transaction: someone may have put a patient
    on an agenda, or placed a hold, since the list was made. The patients' rows are locked
    first (PostgreSQL): a case or a hold added meanwhile waits for this transaction, so the
    second look sees every one committed before it, and none can be deleted unseen."""
    if not _take_lock():
        db.session.rollback()
        return 0
    db.session.execute(sa.select(Patient.id).where(Patient.id.in_(ids)).with_for_update())
    still_due = [s for s in queries.standings(config, ids) if s.due_by(today)]
    try:
        disposed = operations.dispose(still_due, hash_key(config))
        db.session.commit()
    except sa.exc.SQLAlchemyError:
        db.session.rollback()
        log.exception("retention: a batch of %s patient(s) failed; due again next run", len(ids))
        return 0
    log.info("retention: %s patient(s) disposed of", disposed)
    return disposed


def _dispose_audit(cutoff: datetime, batch: int) -> int:
    first_kept = operations.first_kept_audit_id(cutoff)
    total = 0
    while True:
        deleted = operations.dispose_audit_before(first_kept, batch)
        db.session.commit()
        if not deleted:
            break
        total += deleted
    if total:
        log.info("retention: %s audit row(s) older than %s disposed of", total, cutoff.date())
    return total


def _old_audit_rows(cutoff: datetime) -> int:
    first_kept = operations.first_kept_audit_id(cutoff)
    if first_kept is None:
        return 0
    return (
        db.session.scalar(sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.id < first_kept))
        or 0
    )


def _take_lock() -> bool:
    if db.session.get_bind().dialect.name != "postgresql":
        return True
    return bool(db.session.scalar(sa.select(sa.func.pg_try_advisory_xact_lock(RETENTION_LOCK_KEY))))
