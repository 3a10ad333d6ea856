"""What a reminder producer yields (a ``Due``) and the window of due times it is asked
about. Kept apart from the producers so that each feature can own its own (``mdt/actions/
reminders.py``, ``mdt/minutes/reminders.py``) and ``kinds.py`` can register them all."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time

from sqlalchemy.orm import Session

from mdt.accounts.models import User
from mdt.core.calendar import SERVICE_ZONE
from mdt.teams.models import Team


@dataclass(frozen=True)
class Window:
    """Due times after `since` up to and including `until` (the sweep's now)."""

    since: datetime
    until: datetime
    #: The local time of day reminders "the day before" are due (the digest time).
    at: time

    def __contains__(self, moment: datetime) -> bool:
        return self.since < moment <= self.until


@dataclass(frozen=True, eq=False)
class Due:
    kind: str
    #: "<type>:<id>" of what it is about.
    subject: str
    user: User
    #: Whose digest it joins and whose time zone it follows; None for what belongs to no
    #: team (a directory entry), which has a digest of its own in London time.
    team: Team | None
    due_at: datetime
    #: When the thing it is about happens; orders the items of a digest.
    happens_at: datetime
    #: A short line for an email subject: the team and a time, never a patient's details.
    headline: str
    #: What templates/reminders/items/<kind>.txt shows.
    details: Mapping[str, str]

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
