"""Times the reminder sweep through a working Friday and a weekend on a seeded database.

    .venv/bin/python bench/sweep_week.py [DATABASE_URL]

The database must be filled by `mdt bench-seed` (default: the region database of
docs/benchmarks.md), with no reminder made yet. Sweeps at chosen London times from Friday
07:29 (the first sweep after a week: the catch-up) to Sunday, and prints each one's time,
the reminders it created and the emails it queued. Each sweep is committed, as the scheduler
commits it (one transaction would make PostgreSQL check again the foreign keys of every
reminder a later sweep marks, since a row inserted in the same transaction is checked even
when its keys do not change); what they wrote is deleted afterwards, and the tables vacuumed.
"""

from __future__ import annotations

import sys
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt import create_app
from mdt.core.days import local_to_utc
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mail.models import OutboxMessage
from mdt.reminders.models import (
    Reminder,
    ReminderDigest,
    ReminderRecheck,
    ReminderStatus,
    ReminderSweepMark,
)
from mdt.reminders.sweep import sweep
from mdt.reminders.timing import reminder_time

REGION = "postgresql://postgres@127.0.0.1:5432/mdt_bench_region"


def next_friday(today: date) -> date:
    return today + timedelta(days=(4 - today.weekday()) % 7 or 7)


def main(url: str) -> None:
    app = create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key",
            "MAIL_TRANSPORT": "folder",
            "MAIL_FOLDER": tempfile.mkdtemp(prefix="mdt-bench-mail-"),
        }
    )
    at = reminder_time(app.config)
    friday = next_friday(now_utc().date())
    saturday, sunday = friday + timedelta(days=1), friday + timedelta(days=2)

    def london(day: date, hour: int, minute: int) -> datetime:
        return local_to_utc(day, time(hour, minute), "Europe/London")

    plan = [
        ("Fri 07:29 (the first sweep after a week: catch-up)", london(friday, 7, 29)),
        ("Fri 07:30 (the day's digests)", london(friday, 7, 30)),
        ("Fri 07:31", london(friday, 7, 31)),
        ("Sat 07:29", london(saturday, 7, 29)),
        ("Sat 07:30 (due, but no digest at weekends)", london(saturday, 7, 30)),
        ("Sat 07:31", london(saturday, 7, 31)),
        ("Sat 07:32", london(saturday, 7, 32)),
        ("Sat 07:33", london(saturday, 7, 33)),
        ("Sun 12:00 (after a gap since Saturday morning)", london(sunday, 12, 0)),
        ("Sun 12:01", london(sunday, 12, 1)),
    ]
    with app.app_context():
        if db.session.scalar(sa.select(sa.func.count(Reminder.id))):
            sys.exit("This database has reminders already: run it on a fresh `mdt bench-seed`.")
        kept = before_sweeps(db.session)
        try:
            for label, moment in plan:
                started = clock.perf_counter()
                result = sweep(db.session, moment, at)
                db.session.commit()  # as the scheduler does, each sweep on its own
                elapsed = (clock.perf_counter() - started) * 1000
                waiting = db.session.scalar(
                    sa.select(sa.func.count()).where(Reminder.status == ReminderStatus.PENDING)
                )
                print(
                    f"{label}: {elapsed:.0f} ms (created {result.created}, "
                    f"emails {result.emails}, waiting {waiting})",
                    flush=True,
                )
        finally:
            db.session.rollback()
            restore(db.session, kept)


def before_sweeps(session: Session) -> dict[str, Any]:
    """What the sweeps change, as it was: the last ids of what they add, the sweep marks and
    the subjects waiting to be checked again."""
    kept = {
        "outbox": session.scalar(sa.select(sa.func.max(OutboxMessage.id))) or 0,
        "marks": [
            {"id": mark.id, "swept_until": mark.swept_until}
            for mark in session.scalars(sa.select(ReminderSweepMark))
        ],
        "rechecks": [
            {"id": row.id, "shard": row.shard, "subject": row.subject}
            for row in session.scalars(sa.select(ReminderRecheck))
        ],
    }
    session.rollback()
    return kept


def restore(session: Session, kept: dict[str, Any]) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # Emptied, not deleted row by row: each outbox row deleted next checks that no
        # reminder names it, and a scan of a table of dead rows each took 7.8 s at region
        # scale (nothing refers to these two tables; there were none before the sweeps).
        session.execute(sa.text("TRUNCATE reminder, reminder_digest"))
    session.execute(sa.delete(Reminder))
    session.execute(sa.delete(ReminderDigest))
    session.execute(sa.delete(OutboxMessage).where(OutboxMessage.id > kept["outbox"]))
    session.execute(sa.delete(ReminderSweepMark))
    if kept["marks"]:
        session.execute(sa.insert(ReminderSweepMark), kept["marks"])
    session.execute(sa.delete(ReminderRecheck))
    if kept["rechecks"]:
        session.execute(sa.insert(ReminderRecheck), kept["rechecks"])
    session.commit()
    if session.get_bind().dialect.name == "postgresql":  # what was deleted, made room again
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in ("reminder", "reminder_digest", "outbox_message", "reminder_recheck"):
                connection.execute(sa.text(f"VACUUM ANALYZE {table}"))


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else REGION)
