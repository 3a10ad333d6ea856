"""Days as people count them: working days and bank holidays (England and Wales), and local
times to and from UTC."""

from __future__ import annotations

from dataclasses import dataclass
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


# --- clock changes --------------------------------------------------------------------------


@dataclass(frozen=True)
class ClockChange:
    """A change of the clocks on `day`: at `before` they jump to `after` (forward or back)."""

    day: date
    before: time
    after: time

    @property
    def forward(self) -> bool:
        return self.after > self.before


def clock_change_at(day: date, at: time, zone: str) -> ClockChange | None:
    """The clock change that makes `at` on `day` a time that does not exist (the clocks jump
    over it) or that happens twice (they go back over it) in `zone`; None for a plain time.
    A meeting there has no single start every calendar app agrees on."""
    tz = ZoneInfo(zone)
    local = datetime.combine(day, at, tzinfo=tz)
    before, after = local.utcoffset(), local.replace(fold=1).utcoffset()
    if before is None or after is None or before == after:
        return None
    # The instant of the change lies within a day of `at` read with the earlier offset.
    low = datetime.combine(day, at, tzinfo=UTC) - before - timedelta(days=1)
    high = low + timedelta(days=2)
    while high - low > timedelta(minutes=1):
        middle = low + (high - low) / 2
        if middle.astimezone(tz).utcoffset() == before:
            low = middle
        else:
            high = middle
    change = high.replace(second=0, microsecond=0)
    return ClockChange(day, (change + before).time(), (change + after).time())


def clock_change_message(day: date, at: time, zone: str, change: ClockChange) -> str:
    """What to tell someone who chose `at` on a clock-change day."""
    when = f"{day:%A} {day.day} {day:%B %Y}"
    low, high = sorted((change.before, change.after))
    if change.forward:
        what = f"does not exist in {zone} on {when}: the clocks go forward"
    else:
        what = f"happens twice in {zone} on {when}: the clocks go back"
    return (
        f"{at:%H:%M} {what} from {change.before:%H:%M} to {change.after:%H:%M}. "
        f"Choose a start before {low:%H:%M} or from {high:%H:%M}"
    )


def has_begun(day: date, at: time | None, zone: str) -> bool:
    """Whether a wall-clock time in `zone` is now or past; without the time (not typed yet),
    whether the day is before today there."""
    from mdt.core.time import now_utc

    if at is None:
        return day < today_in(zone)
    return local_to_utc(day, at, zone) <= now_utc()
