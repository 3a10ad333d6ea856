"""Times the reminder sweep shared by one or two schedulers on a seeded database.

    .venv/bin/python -m bench.sweep_shared DATABASE_URL [--rounds N]

The database must be filled by `mdt bench-seed`, with no reminder made yet. Three moments
on the next working day (London): an ordinary minute (every shard swept up to 07:31, the
sweep at 07:32), the digest minute (swept up to 07:29, the sweep at 07:30 makes and mails
the day's digests) and an hour's stop (swept up to 06:30, the sweep at 07:31). Before each,
the state is made (the week's catch-up swept and committed, not timed); then 1 or 2
scheduler processes, started and ready beforehand, are told to go at once, and the time from
"go" to the last one saying it is done is taken. Each claims shards as the scheduler does
(mdt/reminders/shards.py). What the sweeps wrote is deleted after each run, as
bench/sweep_week.py does. Each round times every case, one after another.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time as clock
from datetime import datetime, time
from pathlib import Path

import sqlalchemy as sa

from bench.sweep_week import before_sweeps, next_friday, restore
from mdt.core.days import local_to_utc
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.reminders.models import ReminderSweepMark
from mdt.reminders.shards import claim
from mdt.reminders.sweep import sweep, sweep_shard
from mdt.reminders.timing import reminder_time


def _app(url: str):  # type: ignore[no-untyped-def]
    import tempfile

    from mdt import create_app

    return create_app(
        {
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-secret-key",
            "MAIL_TRANSPORT": "folder",
            "MAIL_FOLDER": tempfile.mkdtemp(prefix="mdt-bench-mail-"),
        }
    )


def worker(url: str, moment: datetime) -> None:
    """One scheduler: ready, then on "go" claims and sweeps shards until none is left."""
    app = _app(url)
    at = reminder_time(app.config)
    with app.app_context():
        db.session.execute(sa.select(ReminderSweepMark)).all()  # connected before "go"
        backend = db.session.scalar(sa.select(sa.func.pg_backend_pid()))
        db.session.rollback()
        print("ready", flush=True)
        sys.stdin.readline()
        shards, started = 0, clock.perf_counter()
        cpu = clock.process_time(), _cpu_seconds(backend)
        while (mark := claim(db.session, moment)) is not None:
            sweep_shard(db.session, mark, moment, at)
            db.session.commit()
            shards += 1
        elapsed = (clock.perf_counter() - started) * 1000
        python, database = clock.process_time() - cpu[0], _cpu_seconds(backend) - cpu[1]
        print(f"done {shards} {elapsed:.0f} ms, cpu {python:.1f} + db {database:.1f} s", flush=True)


def _cpu_seconds(pid: int) -> float:
    """User and system CPU seconds of a process on this machine (its PostgreSQL backend):
    on a 2-core host, the two schedulers' and their backends' CPU together bound how far
    sharing can shorten the sweep."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _run(url: str, moment: datetime, schedulers: int) -> tuple[float, list[str]]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "bench.sweep_shared", url, "--worker", moment.isoformat()],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(schedulers)
    ]
    for process in processes:
        assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    started = clock.perf_counter()
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
    # Until each has said it is done (not until it has exited: tearing down is not sweeping).
    said = [process.stdout.readline().strip() for process in processes]  # type: ignore[union-attr]
    elapsed = (clock.perf_counter() - started) * 1000
    for process in processes:
        process.communicate()
    return elapsed, said


def _prepare(app, swept_until: datetime) -> None:  # type: ignore[no-untyped-def]
    """The week's catch-up swept (untimed) up to `swept_until`, as a scheduler running
    until then leaves it."""
    with app.app_context():
        sweep(db.session, swept_until, reminder_time(app.config))
        db.session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--worker", default=None)
    args = parser.parse_args()
    if args.worker:
        worker(args.url, datetime.fromisoformat(args.worker))
        return
    app = _app(args.url)
    friday = next_friday(now_utc().date())

    def london(hour: int, minute: int) -> datetime:
        return local_to_utc(friday, time(hour, minute), "Europe/London")

    cases = [
        ("a minute after the digests (07:31 to 07:32)", london(7, 31), london(7, 32)),
        ("the digest minute (07:29 to 07:30)", london(7, 29), london(7, 30)),
        ("an hour's stop (06:30 to 07:31)", london(6, 30), london(7, 31)),
    ]
    times: dict[tuple[str, int], list[float]] = {}
    with app.app_context():
        kept = before_sweeps(db.session)
    for round_ in range(1, args.rounds + 1):
        for label, since, moment in cases:
            for schedulers in (1, 2):
                _prepare(app, since)
                try:
                    elapsed, said = _run(args.url, moment, schedulers)
                finally:
                    with app.app_context():
                        restore(db.session, kept)
                times.setdefault((label, schedulers), []).append(elapsed)
                print(f"round {round_}, {label}, {schedulers}: {elapsed:.0f} ms {said}", flush=True)
    for (label, schedulers), found in times.items():
        print(f"{label}, {schedulers} scheduler(s): median {statistics.median(found):.0f} ms")
    for label, _, _ in cases:
        one, two = (statistics.median(times[(label, n)]) for n in (1, 2))
        print(f"{label}: two take {two / one:.2f} x the time of one")


if __name__ == "__main__":
    main()
