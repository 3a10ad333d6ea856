"""What a reminder producer yields (a ``Due``) and the window of due times it is asked
about. Kept apart from the producers so that each feature can own its own (``mdt/actions/
reminders.py``, ``mdt/minutes/reminders.py``) and ``kinds.py`` can register them all.
The producers' helpers that read teams are mdt/meetings/reminders.py's: teams sit above
reminders.

Every reminder is due at the digest time on some local day, so a window holds reminder days
only where it holds that time: most minutes' windows hold none, and a producer asked about
one returns without a query (``reminder_days``)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.accounts.models import User
from mdt.core.days import SERVICE_ZONE, local_to_utc, to_local
from mdt.core.db import among
from mdt.reminders import shards

if TYPE_CHECKING:
    from mdt.teams.models import Team


@dataclass(frozen=True)
class Window:
    """Due times after `since` up to and including `until` (the sweep's now)."""

    since: datetime
    until: datetime
    #: The local time of day reminders "the day before" are due (the digest time).
    at: time
    #: Only these subjects ("action:12", "meeting:3"...), or None for all: how the sweep
    #: re-checks older reminders without deriving everyone else's again.
    subjects: frozenset[str] | None = None
    #: Only the teams of this shard (mdt/reminders/shards.py), or None for all.
    shard: int | None = None

    def __contains__(self, moment: datetime) -> bool:
        return self.since < moment <= self.until

    def days(self, zone: str) -> list[date]:
        """The local days whose digest time in `zone` falls in the window."""
        first = to_local(self.since, zone).date() - timedelta(days=1)
        last = to_local(self.until, zone).date() + timedelta(days=1)
        every = (first + timedelta(days=n) for n in range((last - first).days + 1))
        return [day for day in every if local_to_utc(day, self.at, zone) in self]

    def ids(self, *types: str) -> list[int] | None:
        """The ids of the subjects of these types ("meeting", "prep"...); None for all."""
        if self.subjects is None:
            return None
        prefixes = tuple(f"{kind}:" for kind in types)
        return sorted({int(s.partition(":")[2]) for s in self.subjects if s.startswith(prefixes)})


class Words(NamedTuple):
    #: A short line for an email subject: the team and a time, never a patient's details.
    headline: str
    #: What its item in an email shows (mdt/reminders/texts.py).
    details: Mapping[str, str]


@dataclass(frozen=True, eq=False, slots=True)
class Due:
    kind: str
    #: "<type>:<id>" of what it is about.
    subject: str
    user: User | Person
    #: Whose digest it joins and whose time zone it follows; None for what belongs to no
    #: team (a directory entry), which has a digest of its own in London time.
    team: Team | None
    due_at: datetime
    #: When the thing it is about happens; orders the items of a digest.
    happens_at: datetime
    #: Its words (a headline for an email subject, and what its item shows), worked out when
    #: it is sent: a sweep judges tens of thousands of reminders by their keys alone.
    words: Callable[[], Words]

    @property
    def key(self) -> tuple[str, str, int, datetime]:
        return (self.kind, self.subject, self.user.id, self.due_at)

    @property
    def zone(self) -> str:
        return self.team.time_zone if self.team is not None else NO_TEAM_ZONE

    @property
    def source(self) -> str:
        """Who the email says it is from: the team, or the directory."""
        return self.team.name if self.team is not None else "the directory"


Producer = Callable[[Session, Window], Iterable[Due]]


# Kept: the words of a region's digests name the same few hundred days and meetings
# thousands of times, and strftime is slow.
@lru_cache(maxsize=4096)
def long_day(day: date) -> str:
    """E.g. "Friday 4 December 2026"."""
    return f"{day:%A %-d %B %Y}"


@lru_cache(maxsize=4096)
def long_moment(moment: datetime, zone: str) -> str:
    """E.g. "Friday 4 December 2026, 12:30", in the zone's time."""
    return f"{to_local(moment, zone):%A %-d %B %Y, %H:%M}"


#: The time zone (for days and the digest time) of reminders that belong to no team.
NO_TEAM_ZONE = SERVICE_ZONE


#: Where produce() keeps, for its run, what two producers both load (open preparation, open
#: actions): at a region's scale each load takes seconds.
SHARED = "mdt.reminders.shared"
Loader = Callable[[Session, Window], list]  # type: ignore[type-arg]


def shared(session: Session, window: Window, load: Loader) -> list:  # type: ignore[type-arg]
    cache = session.info.get(SHARED)
    if cache is None:  # a producer called on its own
        return load(session, window)
    key = (load.__name__, window)
    if key not in cache:
        cache[key] = load(session, window)
    return cache[key]


@dataclass(frozen=True, slots=True)
class Person:
    """Whom a reminder goes to or names, as producers that read rows load them: the sweep
    reads thousands of people, and a User object each cost it a few hundred milliseconds."""

    id: int
    name: str
    email: str
    is_active: bool


#: The columns of a Person, for a producer's query to join.
PERSON = (User.id, User.name, User.email, User.is_active)


def people_in(rows: Iterable[Sequence[Any]], at: int = 0) -> dict[int, Person]:
    """One Person for each (id, name, email, active) that rows join from column `at` on
    (`PERSON`), rather than a second query for thousands of ids; made once per person (a
    digest day's rows name the same few thousand people tens of thousands of times)."""
    found: dict[int, Person] = {}
    for row in rows:
        if row[at] not in found:
            found[row[at]] = Person(*row[at : at + len(PERSON)])
    return found


def reminder_days(session: Session, window: Window) -> dict[str, list[date]]:
    """Each teams' time zone in use with its reminder days in the window, if it has any."""
    zones = shared(session, window, _load_zones)
    return {zone: days for zone in zones if (days := window.days(zone))}


def _load_zones(session: Session, window: Window) -> list[str]:
    return zones_in_use(session)


#: What says which teams' time zones are in use (the teams feature registers it): reminders
#: belong to teams, which sit above them.
_ZONES: list[Callable[[Session], Iterable[str]]] = []


def register_zones(zones: Callable[[Session], Iterable[str]]) -> None:
    _ZONES[:] = [zones]


def zones_in_use(session: Session) -> list[str]:
    """The time zones of the teams, each once (none before a feature registers them)."""
    return [zone for zones in _ZONES for zone in zones(session)]


def of_shard(window: Window, team: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """`team` (a team id column) is in the window's shard, if it has one: a producer's SQL
    reads only its shard's rows (produce() drops any other, so this saves work only)."""
    return shards.of_shard(window.shard, team)


def holds_no_team(window: Window) -> bool:
    """Whether the window's shard is the one with what belongs to no team."""
    return window.shard in (None, shards.shard_of(None))


def of_subjects(
    window: Window, column: sa.ColumnElement[int], *types: str
) -> sa.ColumnElement[bool]:
    """`column` (a subject's id) is among the window's subjects of these types, if it has any."""
    ids = window.ids(*types)
    return sa.true() if ids is None else among(column, ids)
