"""When reminders and digests go: local wall-clock times on England and Wales working days."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from mdt.config import ConfigError
from mdt.core.days import is_working_day, local_to_utc, to_local


def reminder_time(config: dict[str, Any]) -> time:
    """The local time of day of the digest (and of reminders due "the day before")."""
    raw = str(config["REMINDERS_DIGEST_TIME"])
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ConfigError(
            f"[reminders] digest_time must be a time such as 07:30, not {raw!r}"
        ) from None


def previous_working_day(day: date) -> date:
    day -= timedelta(days=1)
    while not is_working_day(day):
        day -= timedelta(days=1)
    return day


def todays_digest_at(now: datetime, zone: str, at: time) -> datetime | None:
    """Today's digest time if today is a working day and that time has come, else None:
    digests go only then, so what misses today's waits for the next working day's."""
    today = to_local(now, zone).date()
    moment = local_to_utc(today, at, zone)
    return moment if is_working_day(today) and moment <= now else None
