"""What the scheduler does each minute: sweep reminders (one scheduler at a time), then
deliver every due message in the outbox (safe alongside other senders)."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, g

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mail import outbox
from mdt.reminders import heartbeat
from mdt.reminders.sweep import SweepResult, sweep
from mdt.reminders.timing import reminder_time
from mdt.retention import disposal
from scheduler.locks import try_sweep_lock

log = logging.getLogger(__name__)


@dataclass
class TickResult:
    #: None when another scheduler was sweeping, or the sweep failed (logged).
    swept: SweepResult | None
    sent: int
    not_sent: int

    def summary(self) -> str:
        if self.swept is None:
            sweep_text = "no sweep (another scheduler was sweeping, or it failed)"
        else:
            s = self.swept
            sweep_text = (
                f"{s.created} reminder(s) due, {s.skipped} skipped, "
                f"{s.reminders_sent} sent in {s.emails} email(s)"
            )
        return f"{sweep_text}; outbox: {self.sent} sent, {self.not_sent} not sent"


def tick(app: Flask, started_at: datetime) -> TickResult:
    swept = run_sweep(app, started_at)
    with app.app_context():
        sent, not_sent = outbox.deliver()
    return TickResult(swept, sent, not_sent)


def run_sweep(app: Flask, started_at: datetime) -> SweepResult | None:
    """One transaction: heartbeat, sweep lock, sweep, commit. A failure is logged and rolled
    back (the heartbeat with it, so /healthz shows a scheduler that cannot sweep as stale)."""
    with app.app_context():
        session, now, clock = db.session, now_utc(), time.perf_counter()
        try:
            heartbeat.beat(session, now, started_at)
            if not try_sweep_lock(session):
                session.commit()
                log.debug("sweep: another scheduler is sweeping; left to it")
                return None
            result = sweep(session, now, reminder_time(app.config))
            session.commit()
        except Exception:
            session.rollback()
            log.exception("sweep failed; it is tried again next minute")
            return None
        finally:
            # Delivered by tick() with everything else due, not by the context's teardown.
            g.pop("outbox_pending", None)
        elapsed = (time.perf_counter() - clock) * 1000
        busy = result.created or result.skipped or result.emails
        log.log(
            logging.INFO if busy else logging.DEBUG,
            "sweep: %s due, %s skipped, %s sent in %s email(s) (%.0f ms)",
            result.created,
            result.skipped,
            result.reminders_sent,
            result.emails,
            elapsed,
        )
        return result


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
