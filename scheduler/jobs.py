"""What the scheduler does each minute: sweep reminders (shard by shard, sharing the shards
with any other scheduler), and deliver the due messages in the outbox (safe alongside other
senders).

The long-running scheduler runs the two as jobs of their own, side by side, so the sweep and
its heartbeat keep their minute however long delivery takes; `--once` (and the tests' one
minute) runs `tick`: the sweep, then delivery."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from flask import Flask, g

from mdt.audit.chain import verify_and_record
from mdt.backup.manifest import BackupError
from mdt.backup.operations import prune, take_backup
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mail import outbox
from mdt.reminders import heartbeat
from mdt.reminders.shards import claim, ensure_marks
from mdt.reminders.sweep import SweepResult, sweep_shard
from mdt.reminders.timing import reminder_time
from mdt.retention import disposal

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    #: None when the sweep failed (logged).
    swept: SweepResult | None
    sent: int
    not_sent: int

    def summary(self) -> str:
        if self.swept is None:
            sweep_text = "the sweep failed (logged)"
        else:
            s = self.swept
            sweep_text = (
                f"{s.shards} shard(s) swept: {s.created} reminder(s) due, {s.skipped} skipped, "
                f"{s.reminders_sent} sent in {s.emails} email(s)"
            )
        return f"{sweep_text}; outbox: {self.sent} sent, {self.not_sent} not sent"


def tick(app: Flask, started_at: datetime) -> TickResult:
    swept = run_sweep(app, started_at)
    with app.app_context():
        sent, not_sent = outbox.deliver()
    return TickResult(swept, sent, not_sent)


def sweep_job(app: Flask, started_at: datetime, fresh: threading.Event) -> None:
    """The scheduler's sweep each minute; mail it queued goes next (`fresh`), ahead of what
    delivery was working through."""
    swept = run_sweep(app, started_at)
    if swept is not None and swept.emails:
        fresh.set()


def delivery_job(app: Flask, seconds: float, stop: threading.Event, fresh: threading.Event) -> None:
    """The scheduler's delivery each minute: no message is started later than `seconds`
    past the minute (the rest wait for the next minute's run, which looks again at what is
    due), nor once `stop` is set (SIGTERM: the message in flight is finished and recorded).
    Until then, mail the sweep queues (`fresh`) goes at once, even when nothing else was."""
    left = seconds - time.time() % 60  # a run started mid-minute (the first) ends with it
    pace = outbox.Pace(deadline=time.monotonic() + left, stop=stop, fresh=fresh)
    with app.app_context():
        outbox.deliver(pace=pace)


def run_sweep(app: Flask, started_at: datetime) -> SweepResult | None:
    """Each shard not yet swept up to now that no other scheduler holds, one transaction
    each, then the heartbeat. A failure is logged and rolled back (the shards already swept
    stay swept; the heartbeat is not recorded, so /healthz shows a scheduler that cannot
    sweep as stale)."""
    with app.app_context():
        session, now, clock = db.session, now_utc(), time.perf_counter()
        at, result = reminder_time(app.config), SweepResult()
        try:
            ensure_marks(session)
            session.commit()
            while (mark := claim(session, now)) is not None:
                result.add(sweep_shard(session, mark, now, at))
                session.commit()
            heartbeat.beat(session, now, started_at)
            session.commit()
        except Exception:
            session.rollback()
            log.exception("sweep failed; it is tried again next minute")
            return None
        finally:
            # Delivered by tick() with everything else due, not by the context's teardown.
            g.pop("outbox_pending", None)
        _log_sweep(result, (time.perf_counter() - clock) * 1000)
        return result


def _log_sweep(result: SweepResult, elapsed: float) -> None:
    busy = result.created or result.skipped or result.emails
    log.log(
        logging.INFO if busy else logging.DEBUG,
        "sweep: %s shard(s), %s due, %s skipped, %s sent in %s email(s) (%.0f ms)",
        result.shards,
        result.created,
        result.skipped,
        result.reminders_sent,
        result.emails,
        elapsed,
    )


def nightly(app: Flask) -> None:
    """Once a day at [backup] hour: a backup into [backup] directory (if set), keeping the
    newest [backup] keep, then the audit chain checked (the audit log shows the outcome)."""
    backup(app)
    verify_audit(app)


def backup(app: Flask) -> Path | None:
    directory = str(app.config["BACKUP_DIRECTORY"])
    if not directory:
        return None
    folder = Path(directory) / f"mdt-{now_utc():%Y%m%dT%H%M%SZ}"
    try:
        manifest = take_backup(app.config["DATABASE_URL"], folder)
        removed = prune(Path(directory), int(app.config["BACKUP_KEEP"]))
    except (BackupError, OSError):
        log.exception("backup into %s failed; tried again tomorrow", folder)
        return None
    log.info(
        "backup: %s rows into %s; %s older backup(s) removed",
        sum(manifest.tables.values()),
        folder,
        len(removed),
    )
    return folder


def verify_audit(app: Flask) -> None:
    with app.app_context():
        try:
            outcome = verify_and_record(db.session)
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("audit chain check failed to run; tried again tomorrow")
            return
    if outcome.ok:
        log.info("audit chain verified: %s event(s)", outcome.rows_checked)
    else:
        log.error("audit chain BROKEN: %s", outcome.problem)


def retention(app: Flask) -> disposal.RetentionRun | None:
    """Daily: dispose of patients past retention, then audit rows past theirs. A failure is
    logged; what was due is due again the next day."""
    with app.app_context():
        try:
            result = disposal.run(app.config, now_utc())
        except Exception:
            db.session.rollback()
            log.exception("retention failed; it is tried again tomorrow")
            return None
        log.info("%s", result.summary())
        return result
