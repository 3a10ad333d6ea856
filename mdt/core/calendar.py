"""Working days and bank holidays (England and Wales), and local-to-UTC conversion."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from zoneinfo import ZoneInfo

import holidays


@cache
def _bank_holidays(year: int) -> dict[date, str]:
    # England's list is also Wales's; Scotland and Northern Ireland differ.
    return dict(holidays.country_holidays("GB", subdiv="ENG", years=year))


def bank_holiday(day: date) -> str | None:
    """The bank holiday's name if `day` is one in England and Wales."""
    return _bank_holidays(day.year).get(day)


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and bank_holiday(day) is None


# Kept, like working_days_before: the reminder sweep converts the same few days' digest
# time tens of thousands of times.
@lru_cache(maxsize=4096)
def local_to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of a wall-clock time in a zone (a time skipped by a clock change moves
    forward; a repeated one takes the first, as calendar clients do)."""
    local = datetime.combine(day, at, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def add_minutes(day: date, at: time, minutes: int, zone: str) -> datetime:
    return local_to_utc(day, at, zone) + timedelta(minutes=minutes)


def to_local(moment: datetime, zone: str) -> datetime:
    return moment.astimezone(ZoneInfo(zone))


# Kept: bank holidays are fixed, and the reminder sweep asks about the same dates thousands
# of times (every open action's due date).
@lru_cache(maxsize=4096)
def working_days_before(day: date, count: int) -> date:
    """The date `count` working days before `day` (weekends and bank holidays skipped)."""
    found = day
    while count > 0:
        found -= timedelta(days=1)
        if is_working_day(found):
            count -= 1
    return found


def next_working_day(day: date) -> date:
    found = day + timedelta(days=1)
    while not is_working_day(found):
        found += timedelta(days=1)
    return found


def end_of_day(day: date, zone: str) -> datetime:
    """The instant a local day ends (the next midnight), in UTC."""
    return local_to_utc(day + timedelta(days=1), time(0, 0), zone)


#: Where the service works when no team's zone applies (a person's own lists, the directory,
#: the audit log): England, where the MDTs it serves meet.
SERVICE_ZONE = "Europe/London"


def today_in(zone: str, now: datetime | None = None) -> date:
    """The local date in `zone` now: due dates are days where the team works, not UTC's."""
    from mdt.core.time import now_utc

    return to_local(now or now_utc(), zone).date()


def has_begun(day: date, at: time | None, zone: str) -> bool:
    """Whether a wall-clock time in `zone` is now or past; without the time (not typed yet),
    whether the day is before today there."""
    from mdt.core.time import now_utc

    if at is None:
        return day < today_in(zone)
    return local_to_utc(day, at, zone) <= now_utc()
