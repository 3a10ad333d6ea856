"""Time zones as yearly clock-change rules derived from the zoneinfo database.

Calendar apps (Outlook above all) want a time zone as a pair of yearly rules, such as
"the last Sunday of March at 01:00" (RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU), not as a list
of dates (mdt.calendar.vtimezones writes them). zoneinfo only gives offsets, so the clock
changes of each year of the feed's window are found by search, and each kind of change (same
month, same offsets) must fall on the same weekday of the month at the same wall-clock time
every year. A zone whose changes follow no such rule (Morocco's move around Ramadan, say) is
refused with a clear message rather than written wrongly.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
#: Where the rules start. Outlook and Thunderbird anchor theirs in the past the same way;
#: only the feed's own years are checked against zoneinfo.
EPOCH_YEAR = 1970


#: How many years ahead a zone is checked before a team or series may use it: zoneinfo's
#: rules repeat their weekdays and dates within 28 years, so a zone written correctly for
#: these years is written correctly for every window a feed can cover from now on.
YEARS_CHECKED_AHEAD = 28


class UnsupportedTimeZone(ValueError):
    """The zone is unknown, or its clock changes cannot be written as yearly rules."""


def years_from(year: int) -> tuple[int, ...]:
    """Every year a feed's window can reach from `year` on (it starts 3 months back)."""
    return tuple(range(year - 1, year + YEARS_CHECKED_AHEAD + 1))


def writable(name: str, years: tuple[int, ...]) -> bool:
    try:
        yearly_rules(name, years)
    except UnsupportedTimeZone:
        return False
    return True


@dataclass(frozen=True)
class Transition:
    at: datetime  # UTC
    offset_from: timedelta
    offset_to: timedelta
    name: str  # the abbreviation in force after the change

    @property
    def wall(self) -> datetime:
        """The local clock reading when the change happens (before it takes effect)."""
        return (self.at + self.offset_from).replace(tzinfo=None)


@dataclass(frozen=True)
class YearlyRule:
    month: int
    weekday: int  # 0 = Monday
    ordinal: int  # 1-5, or -1 for the last
    wall: time
    offset_from: timedelta
    offset_to: timedelta
    name: str

    def first_onset(self) -> datetime:
        return datetime.combine(
            _nth_weekday(EPOCH_YEAR, self.month, self.weekday, self.ordinal), self.wall
        )


def zone_info(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UnsupportedTimeZone(f"{name!r} is not a time zone in the zoneinfo database") from None


def transitions(zone: ZoneInfo, year: int) -> list[Transition]:
    """Every change of UTC offset in `year`, to the minute (found day by day, then halving)."""
    found = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        following = moment + timedelta(days=1)
        if _offset(zone, moment) != _offset(zone, following):
            found.append(_pinpoint(zone, moment, following))
        moment = following
    return found


def _offset(zone: ZoneInfo, moment: datetime) -> timedelta:
    return moment.astimezone(zone).utcoffset() or timedelta(0)


def _pinpoint(zone: ZoneInfo, before: datetime, after: datetime) -> Transition:
    while after - before > timedelta(minutes=1):
        middle = before + (after - before) / 2
        middle = middle.replace(second=0, microsecond=0)
        if middle <= before:
            middle = before + timedelta(minutes=1)
        if _offset(zone, middle) == _offset(zone, before):
            before = middle
        else:
            after = middle
    return Transition(
        after, _offset(zone, before), _offset(zone, after), after.astimezone(zone).tzname() or ""
    )


def _ordinals(day: date) -> set[int]:
    """Which "nth weekday of the month" descriptions fit `day` (e.g. {4, -1} for the 25th)."""
    found = {(day.day - 1) // 7 + 1}
    if day.day + 7 > calendar.monthrange(day.year, day.month)[1]:
        found.add(-1)
    return found


def _nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    days = [
        date(year, month, d)
        for d in range(1, calendar.monthrange(year, month)[1] + 1)
        if date(year, month, d).weekday() == weekday
    ]
    return days[-1] if ordinal == -1 else days[ordinal - 1]


def _rule_for(name: str, group: list[Transition], years: tuple[int, ...]) -> YearlyRule:
    walls = [t.wall for t in group]
    weekdays = {w.weekday() for w in walls}
    times = {w.time() for w in walls}
    ordinals = set.intersection(*(_ordinals(w.date()) for w in walls))
    if len(group) != len(years) or len(weekdays) != 1 or len(times) != 1 or not ordinals:
        raise UnsupportedTimeZone(
            f"{name}: its clock changes do not follow a yearly weekday rule, so calendar apps "
            "cannot be given it; choose a zone such as Europe/London for the team"
        )
    first = group[0]
    return YearlyRule(
        month=walls[0].month,
        weekday=weekdays.pop(),
        ordinal=-1 if -1 in ordinals else min(ordinals),
        wall=times.pop(),
        offset_from=first.offset_from,
        offset_to=first.offset_to,
        name=first.name,
    )


@cache
def yearly_rules(name: str, years: tuple[int, ...]) -> tuple[YearlyRule, ...]:
    """The zone's clock changes over `years` as yearly rules; () for a zone without any."""
    zone = zone_info(name)
    groups: dict[tuple[int, timedelta, timedelta], list[Transition]] = {}
    for year in years:
        for t in transitions(zone, year):
            groups.setdefault((t.wall.month, t.offset_from, t.offset_to), []).append(t)
    rules = [_rule_for(name, group, years) for group in groups.values()]
    return tuple(sorted(rules, key=lambda r: (r.month, r.wall)))
