"""Reading the directory: lists and search in a fixed number of queries, whatever its size."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import snowballstemmer
import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.directory.models import PersonCheck, Service, is_stale, person_verified_at
from mdt.extensions import db
from mdt.organisations.models import Organisation
from mdt.teams.models import Membership, Team

#: More words than this in a search are ignored (each one is a LIKE on every field).
MAX_WORDS = 8


@dataclass(frozen=True)
class PersonEntry:
    """A person as the directory shows them: their account and when it was last checked."""

    user: User
    check: PersonCheck | None

    @property
    def verified_at(self) -> datetime:
        return person_verified_at(self.user, self.check)

    @property
    def verified_by(self) -> User | None:
        return self.check.verified_by if self.check is not None else None

    @property
    def teams(self) -> list[Team]:
        return sorted((m.team for m in self.user.memberships), key=lambda t: t.name)

    def is_stale(self, now: datetime) -> bool:
        return is_stale(self.verified_at, now)

    def can_confirm(self, user: User) -> bool:
        return user.is_admin or user.id == self.user.id


def words(q: str) -> list[str]:
    """What each typed word is searched for: the part its other forms share, so "nurse"
    finds "nursing" and "carers" finds "carer" (a word is found inside longer ones too)."""
    return [searched_part(w.lower()) for w in q.split()][:MAX_WORDS]


@lru_cache(maxsize=4096)
def searched_part(word: str) -> str:
    """The start the word shares with its English stem (Snowball's): the stem alone is not
    always in the text ("memory" stems to "memori"), the shared start always is."""
    stem = snowballstemmer.stemmer("english").stemWord(word)
    return os.path.commonprefix([word, stem]) or word


def _matching(columns: Sequence[sa.ColumnElement[str]], q: str) -> sa.ColumnElement[bool]:
    """Every word is found (case-insensitively) in at least one of the columns."""
    return sa.and_(
        sa.true(),
        *(
            sa.or_(*(sa.func.lower(c).contains(w, autoescape=True) for c in columns))
            for w in words(q)
        ),
    )


def services(q: str = "") -> list[Service]:
    """Services whose name, description, who it is for or organisation has every word."""
    columns = (Service.name, Service.description, Service.who_for, Organisation.name)
    return list(
        db.session.scalars(
            sa.select(Service)
            .join(Service.organisation)
            .where(_matching(columns, q))
            .order_by(sa.func.lower(Service.name), Service.id)
            .options(
                contains_eager(Service.organisation),
                joinedload(Service.owner),
                joinedload(Service.verified_by),
            )
        ).unique()
    )


def people(q: str = "") -> list[PersonEntry]:
    """Active people whose name, profession or organisation has every word."""
    columns = (User.name, User.profession, Organisation.name)
    rows = db.session.execute(
        sa.select(User, PersonCheck)
        .join(Organisation, Organisation.id == User.organisation_id)
        .outerjoin(PersonCheck, PersonCheck.user_id == User.id)
        .where(User.is_active, _matching(columns, q))
        .order_by(sa.func.lower(User.name), User.id)
        .options(
            selectinload(User.memberships).joinedload(Membership.team),
            joinedload(PersonCheck.verified_by),
        )
    ).unique()
    return [PersonEntry(user, check) for user, check in rows]


def get_service_or_404(service_id: int, edit: bool = False) -> Service:
    """Anyone signed in may read a service; only its owner or an administrator changes it."""
    service = db.session.get(Service, service_id)
    if service is None:
        abort(404)
    if edit and not service.can_edit(signed_in_user()):
        abort(403)
    return service


def get_person_or_404(user_id: int, confirm: bool = False) -> PersonEntry:
    """Active people only; only they (or an administrator) confirm their entry."""
    rows = db.session.execute(
        sa.select(User, PersonCheck)
        .outerjoin(PersonCheck, PersonCheck.user_id == User.id)
        .where(User.id == user_id, User.is_active)
        .options(selectinload(User.memberships).joinedload(Membership.team))
    ).first()
    if rows is None:
        abort(404)
    entry = PersonEntry(rows[0], rows[1])
    if confirm and not entry.can_confirm(signed_in_user()):
        abort(403)
    return entry
