"""What the stale-entry reminder needs: entries last checked in a span, with their owners."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from mdt.accounts.models import User
from mdt.core.db import UTCDateTime
from mdt.core.web import external_url
from mdt.directory.models import PersonCheck, Service
from mdt.reminders.due import Window, of_subjects


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
