"""What is reminded: the kinds features register, and the derivation that asks each of them.

Reminders sit below the features whose reminders they send, so they import none of them: a
feature declares its kinds (a ``ReminderKind`` each, in its own ``reminders.py``, as
mdt/meetings/reminders.py does) and create_app registers them. A kind's producer gets a
window and yields a ``Due`` for every reminder of its kind whose due time falls in it and
whose subject still needs it (a cancelled meeting yields nothing). The sweep asks about the
time since the last sweep (usually a minute: most hold no digest time, and a producer then
returns without a query), and again, over the past week, about the subjects of unsent
reminders and of what changed since (``derived_from``, see mdt/reminders/recheck.py): that
is how it learns that a reminder created earlier is no longer wanted, so a producer must
honour ``window.subjects`` in its SQL.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.reminders.due import SHARED, Due, Producer, Window
from mdt.reminders.shards import shard_of


@dataclass(frozen=True)
class Source:
    """A model whose rows a kind's reminders are derived from: a new row of it, or a change
    to one of `columns`, may make a reminder due or no longer wanted."""

    model: type
    columns: tuple[str, ...]
    #: The reminder subjects ("meeting:3") a written row may change.
    subjects: Callable[[Session, Any], Iterable[str]]
    #: Whether a new row can need a reminder (a new account has no entry to check yet).
    new_rows: bool = True


@dataclass(frozen=True)
class ReminderKind:
    #: As reminder rows store it, e.g. "meeting_tomorrow".
    name: str
    producer: Producer
    #: Its item in an email (a digest numbers it, a reminder alone shows it), from its
    #: ``Words.details``: plain strings, not a template (mdt/reminders/texts.py says why).
    item: Callable[[Mapping[str, str]], str]
    derived_from: tuple[Source, ...] = ()


#: The registered kinds, in the order the sweep derives them: that orders the reminders it
#: makes, and so its emails.
KINDS: dict[str, ReminderKind] = {}


def register(*kinds: ReminderKind) -> None:
    """Registers each kind (again, for a second app: it keeps its place)."""
    for kind in kinds:
        KINDS[kind.name] = kind
    sources.cache_clear()


def kind(name: str) -> ReminderKind:
    return KINDS[name]


@dataclass(frozen=True)
class Sources:
    """What every registered kind is derived from, by model."""

    #: The columns whose change may change a reminder.
    columns: Mapping[type, tuple[str, ...]]
    #: The models a new row of which may need a reminder.
    new_rows: frozenset[type]
    #: Each model's subjects functions.
    subjects: Mapping[type, tuple[Callable[[Session, Any], Iterable[str]], ...]]


@cache
def sources() -> Sources:
    """The registered kinds' sources, merged (kept: every flush asks)."""
    unique = dict.fromkeys(s for kind in KINDS.values() for s in kind.derived_from)
    columns: dict[type, tuple[str, ...]] = {}
    subjects: dict[type, tuple[Callable[[Session, Any], Iterable[str]], ...]] = {}
    for source in unique:
        known = columns.get(source.model, ())
        columns[source.model] = known + tuple(c for c in source.columns if c not in known)
        subjects[source.model] = (*subjects.get(source.model, ()), source.subjects)
    new_rows = frozenset(source.model for source in unique if source.new_rows)
    return Sources(columns, new_rows, subjects)


def values(thing: object, attribute: str) -> list[Any]:
    """The attribute's value, and its value before if this flush changed it: for a
    `Source`'s subjects, which are those of both."""
    history = sa.inspect(thing).attrs[attribute].history
    return [*history.added, *history.unchanged, *history.deleted]


def produce(session: Session, window: Window) -> dict[tuple[str, str, int, datetime], Due]:
    session.info[SHARED] = {}
    try:
        return {
            due.key: due
            for kind in KINDS.values()
            for due in kind.producer(session, window)
            if window.subjects is None or due.subject in window.subjects
            if window.shard is None or _shard_of(due) == window.shard
        }
    finally:
        del session.info[SHARED]


def _shard_of(due: Due) -> int:
    return shard_of(due.team.id if due.team is not None else None)
