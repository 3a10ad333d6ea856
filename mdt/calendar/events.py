"""What a calendar shows, independent of where it comes from: each source builds these.

Identity and versions come from the database, never from the clock or chance: UID from the
row's key and the installation's name, SEQUENCE from its revision, DTSTAMP and LAST-MODIFIED
from its last change. So unchanged data gives byte-identical output.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta


def uid(kind: str, key: int) -> str:
    """The row's UID; the part after the @ names the installation (mdt.calendar.identity)."""
    from mdt.calendar.identity import uid_domain

    return f"{kind}-{key}@{uid_domain()}"


@dataclass(frozen=True)
class Version:
    sequence: int
    changed_at: datetime  # UTC; DTSTAMP and LAST-MODIFIED
    created_at: datetime | None = None


@dataclass(frozen=True)
class Moved:
    """One occurrence of a recurring event taking place at another time."""

    #: The wall-clock start the rule gives (naive, in the event's zone): the RECURRENCE-ID.
    original_start: datetime
    starts_at: datetime  # UTC
    ends_at: datetime


@dataclass(frozen=True)
class Recurrence:
    """A rule written in the series' wall-clock time: DTSTART, EXDATE and RECURRENCE-ID
    are the local times the rule gives (naive, in the event's zone), never a UTC instant
    converted back, which differs when a start falls in a clock change's gap."""

    first: datetime  # the wall-clock start of the first occurrence: DTSTART
    length: timedelta  # DTEND is `first` plus this, on the wall clock
    rrule: str  # without UNTIL
    until: datetime  # UTC start of the last occurrence the rule gives
    excluded: tuple[datetime, ...] = ()  # wall-clock starts the rule gives that do not take place
    moved: tuple[Moved, ...] = ()
    #: Leading occurrences whose wall-clock start a clock change skips, in UTC (RDATE; with
    #: a TZID libical reads it as UTC): DTSTART itself in the gap is read an hour late.
    added: tuple[datetime, ...] = ()


@dataclass(frozen=True)
class TimedEvent:
    uid: str
    version: Version
    starts_at: datetime  # UTC; the first occurrence for a recurring event
    ends_at: datetime
    zone: str  # IANA name: times are written in it (TZID), never floating
    summary: str
    location: str = ""
    description: str = ""
    url: str = ""
    recurrence: Recurrence | None = None
    #: CONFIRMED, or CANCELLED in a cancellation sent by email (a feed leaves those out).
    status: str = "CONFIRMED"


@dataclass(frozen=True)
class AllDayEvent:
    """A date such as a deadline: VALUE=DATE, DTEND the next day, shown as free time."""

    uid: str
    version: Version
    day: date
    summary: str
    description: str = ""
    url: str = ""

    @property
    def next_day(self) -> date:
        return self.day + timedelta(days=1)


Event = TimedEvent | AllDayEvent


@dataclass(frozen=True)
class Window:
    """The span a feed covers: whole months, so the feed changes only when data does (or
    once a month), not every day."""

    first: date
    last: date

    @classmethod
    def around(cls, today: date, months_back: int = 3, months_ahead: int = 18) -> Window:
        first = _add_months(today.replace(day=1), -months_back)
        last = _add_months(today.replace(day=1), months_ahead + 1) - timedelta(days=1)
        return cls(first, last)

    @property
    def years(self) -> tuple[int, ...]:
        return tuple(range(self.first.year, self.last.year + 1))


def _add_months(first_of_month: date, months: int) -> date:
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
