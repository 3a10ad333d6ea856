"""Times the reminder sweep through a working Friday and a weekend on a seeded database.

    .venv/bin/python bench/sweep_week.py [DATABASE_URL]

The database must be filled by `mdt bench-seed` (default: the region database of
docs/benchmarks.md). Sweeps at chosen London times from Friday 07:29 (the first sweep after a
week: the catch-up) to Sunday, and prints each one's time, the reminders it created and the
emails it queued. Everything is rolled back: the database is left as it was.
"""

from __future__ import annotations

import sys
import tempfile
import time as clock
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa

from mdt import create_app
from mdt.core.calendar import local_to_utc
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.reminders.models import Reminder, ReminderStatus
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
        try:
            for label, moment in plan:
                started = clock.perf_counter()
                result = sweep(db.session, moment, at)
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


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else REGION)
