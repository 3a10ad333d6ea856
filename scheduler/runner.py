"""The long-running process: APScheduler's BlockingScheduler, with two jobs every minute in
its threads: the sweep (with the heartbeat) and delivery, so neither waits for the other; and a
backup with the audit chain's check once a day ([backup] hour)."""

from __future__ import annotations

import logging
import signal
import sys
import threading
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask

from mdt.config import ConfigError
from mdt.core.time import now_utc
from mdt.mail import outcomes
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


def delivery_seconds(config: dict[str, Any]) -> int:
    seconds = config["SCHEDULER_DELIVERY_SECONDS"]
    if not isinstance(seconds, int) or not 1 <= seconds <= 59:
        raise ConfigError(f"[scheduler] delivery_seconds {seconds!r} is not from 1 to 59")
    return seconds


def _backup_hour(config: dict[str, Any]) -> int:
    """The nightly job's hour, once [backup] hour and keep are known to make sense (keep 0
    would remove the backup just taken)."""
    hour, keep = config["BACKUP_HOUR"], config["BACKUP_KEEP"]
    if not isinstance(hour, int) or not 0 <= hour <= 23:
        raise ConfigError(f"[backup] hour must be a whole number from 0 to 23, not {hour!r}")
    if not isinstance(keep, int) or keep < 1:
        raise ConfigError(f"[backup] keep must be a whole number from 1, not {keep!r}")
    return hour


def run(app: Flask, once: bool = False) -> int:
    zone = time_zone(app.config)
    _backup_hour(app.config)  # refuse a bad setting now, not at night
    reminder_time(app.config)  # refuse a bad setting now, not at the first sweep
    seconds = delivery_seconds(app.config)
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
            if outcomes.unrecorded():
                # Sent or refused, but the database never heard: said, and a failure.
                print(
                    f"scheduler: {outcomes.unrecorded()} outbox outcome(s) could not be recorded",
                    file=sys.stderr,
                )
                return 1
        else:
            _run_forever(app, zone, seconds, retention_at)
    finally:
        lock.release()
    return 0


def _run_forever(app: Flask, zone: ZoneInfo, seconds: int, retention_at: time) -> None:
    scheduler = BlockingScheduler(
        timezone=zone,
        # A late or missed minute runs once, however late: a sweep catches up on its own.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    stopping, fresh = threading.Event(), threading.Event()
    every_minute = CronTrigger(second=0, timezone=zone)  # on the minute: 09:00 means 09:00
    now = datetime.now(zone)  # and at once on start: catch up after a stop
    scheduler.add_job(
        jobs.sweep_job, every_minute, [app, now_utc(), fresh], id="sweep", next_run_time=now
    )
    scheduler.add_job(
        jobs.delivery_job,
        every_minute,
        [app, seconds, stopping, fresh],
        id="deliver",
        next_run_time=now,
    )

    scheduler.add_job(
        jobs.nightly,
        CronTrigger(hour=_backup_hour(app.config), minute=15, timezone=zone),
        args=[app],
        id="backup-and-audit-check",
    )
    scheduler.add_job(
        jobs.retention,
        CronTrigger(hour=retention_at.hour, minute=retention_at.minute, timezone=zone),
        args=[app],
        id="retention",
    )

    def stop(signum: int, _frame: object) -> None:
        log.info("stopping (signal %s) after the message in flight and the sweep", signum)
        stopping.set()
        fresh.set()  # wakes a delivery run waiting for mail, to see it should stop
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
        stopping.set()
        fresh.set()
        scheduler.shutdown(wait=True)
    log.info("stopped")
