"""The long-running process: APScheduler's BlockingScheduler, one job every minute."""

from __future__ import annotations

import logging
import signal
import sys
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from mdt.config import ConfigError
from mdt.core.time import now_utc
from mdt.reminders.timing import reminder_time
from mdt.retention.disposal import run_at
from scheduler import jobs
from scheduler.locks import InstanceLock

log = logging.getLogger(__name__)

#: Exit status when another scheduler already runs for this (SQLite) database.
ALREADY_RUNNING = 3


def configure_logging() -> None:
    logging.basicConfig(
        level=logging.INFO,
        format="%(asctime)s scheduler %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    logging.getLogger("apscheduler").setLevel(logging.WARNING)  # "job ran" every minute


def time_zone(config: dict[str, Any]) -> ZoneInfo:
    name = str(config["SCHEDULER_TIME_ZONE"])
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"[scheduler] time_zone {name!r} is not an IANA time zone") from None


def run(app: Flask, once: bool = False) -> int:
    zone = time_zone(app.config)
    reminder_time(app.config)  # refuse a bad setting now, not at the first sweep
    retention_at = run_at(app.config)
    lock = InstanceLock.for_database(app.config["DATABASE_URL"])
    if not lock.acquire():
        print(
            f"scheduler: another scheduler (pid {lock.holder}) is already running for this "
            f"database (lock file {lock.path}); not starting a second one",
            file=sys.stderr,
        )
        return ALREADY_RUNNING
    try:
        if once:
            print(jobs.tick(app, now_utc()).summary())
        else:
            _run_forever(app, zone, retention_at)
    finally:
        lock.release()
    return 0


def _run_forever(app: Flask, zone: ZoneInfo, retention_at: time) -> None:
    scheduler = BlockingScheduler(
        timezone=zone,
        # A late or missed minute runs once, however late: a sweep catches up on its own.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    scheduler.add_job(
        jobs.tick,
        CronTrigger(second=0, timezone=zone),  # on the minute, so 09:00 means 09:00
        args=[app, now_utc()],
        id="sweep-and-deliver",
        next_run_time=datetime.now(zone),  # and at once on start: catch up after a stop
    )
    scheduler.add_job(
        jobs.retention,
        CronTrigger(hour=retention_at.hour, minute=retention_at.minute, timezone=zone),
        args=[app],
        id="retention",
    )

    def stop(signum: int, _frame: object) -> None:
        log.info("stopping (signal %s) once the current run ends", signum)
        scheduler.shutdown(wait=True)

    signal.signal(signal.SIGTERM, stop)
    log.info(
        "started (time zone %s); sweeping and delivering every minute, retention daily at %s",
        zone.key,
        retention_at.strftime("%H:%M"),
    )
    try:
        scheduler.start()
    except KeyboardInterrupt:
        scheduler.shutdown(wait=True)
    log.info("stopped")
