"""The stale-entry reminder: entries last checked in a span, with their owners, reminded
the day they turn stale."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from mdt.accounts.models import User
from mdt.core.days import local_to_utc, to_local
from mdt.core.db import UTCDateTime
from mdt.core.web import external_url
from mdt.directory.models import STALE_AFTER, PersonCheck, Service, stale_on
from mdt.reminders.due import NO_TEAM_ZONE, Due, Window, Words, holds_no_team, of_subjects
from mdt.reminders.kinds import ReminderKind, Source


@dataclass(frozen=True)
class OwnedEntry:
    #: "service:<id>" or "person:<user id>": the reminder's subject.
    subject: str
    owner: User
    name: str
    #: How the reminder names it: "the service" or "your entry".
    what: str
    verified_at: datetime
    link: str


def entries_checked_between(
    session: Session, earliest: datetime, latest: datetime, window: Window
) -> Iterator[OwnedEntry]:
    """Services and people (active owners only) last checked after `earliest`, up to `latest`,
    among the window's subjects."""
    services = session.scalars(
        sa.select(Service)
        .join(User, User.id == Service.owner_id)
        .where(
            User.is_active,
            Service.verified_at > earliest,
            Service.verified_at <= latest,
            of_subjects(window, Service.id, "service"),
        )
        .options(joinedload(Service.owner))
    )
    for service in services:
        yield OwnedEntry(
            f"service:{service.id}",
            service.owner,
            service.name,
            "the service",
            service.verified_at,
            external_url("directory.service", service_id=service.id),
        )
    # Never confirmed: counted from when the account was made.
    checked = sa.func.coalesce(PersonCheck.verified_at, User.created_at, type_=UTCDateTime())
    people = session.execute(
        sa.select(User, checked)
        .outerjoin(PersonCheck, PersonCheck.user_id == User.id)
        .where(
            User.is_active,
            checked > earliest,
            checked <= latest,
            of_subjects(window, User.id, "person"),
        )
    )
    for user, verified_at in people:
        yield OwnedEntry(
            f"person:{user.id}",
            user,
            user.name,
            "your entry",
            verified_at,
            external_url("directory.person", user_id=user.id),
        )


def directory_entry_stale(session: Session, window: Window) -> Iterator[Due]:
    """The owner of a directory entry (a service's owner; a person for their own entry), at
    the digest time on the day it turns stale. The due time follows from when it was last
    checked, so the same staleness is reminded once, and "Still correct" both resolves a
    reminder not yet sent and starts the next 90 days."""
    if not holds_no_team(window):  # a team's shard: entries belong to no team
        return
    days = window.days(NO_TEAM_ZONE)
    if not days:
        return
    # Checked on these days (with a day's margin either side) turn stale on the window's.
    earliest = local_to_utc(days[0] - STALE_AFTER - timedelta(days=1), time(0), NO_TEAM_ZONE)
    latest = local_to_utc(days[-1] - STALE_AFTER + timedelta(days=2), time(0), NO_TEAM_ZONE)
    for entry in entries_checked_between(session, earliest, latest, window):
        day = stale_on(entry.verified_at)
        due_at = local_to_utc(day, window.at, NO_TEAM_ZONE)
        if due_at in window:
            yield Due(
                kind="directory_entry_stale",
                subject=entry.subject,
                user=entry.owner,
                team=None,
                due_at=due_at,
                happens_at=due_at,
                words=partial(_stale_entry_words, entry),
            )


def _stale_entry_words(entry: OwnedEntry) -> Words:
    return Words(
        f"Directory entry to check: {entry.name}",
        {
            "name": entry.name,
            "what": entry.what,
            "checked": f"{to_local(entry.verified_at, NO_TEAM_ZONE):%-d %B %Y}",
            "link": entry.link,
        },
    )


def _stale_entry_item(d: Mapping[str, str]) -> str:
    return (
        f'Directory: {d["what"]} "{d["name"]}" was last confirmed on {d["checked"]} '
        "and is now marked stale.\n"
        'If it is still right, say so in one click ("Still correct"); '
        f"if not, change it: {d['link']}"
    )


DIRECTORY_ENTRY_STALE = ReminderKind(
    "directory_entry_stale",
    directory_entry_stale,
    _stale_entry_item,
    derived_from=(
        Source(Service, ("owner_id", "verified_at"), lambda _, s: [f"service:{s.id}"]),
        Source(PersonCheck, ("verified_at",), lambda _, check: [f"person:{check.user_id}"]),
        # A new account has no entry to check yet.
        Source(User, ("is_active",), lambda _, user: [f"person:{user.id}"], new_rows=False),
    ),
)

#: In the order the sweep derives them.
KINDS = (DIRECTORY_ENTRY_STALE,)
