"""Changes to the directory. They flush; the view commits."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.core.time import now_utc
from mdt.directory.models import PersonCheck, Service
from mdt.extensions import db


def add_service(owner: User, by: User, **fields: Any) -> Service:
    """Whoever adds a service owns it unless an administrator names someone else; adding
    it counts as checking it."""
    service = Service(owner_id=owner.id, verified_at=now_utc(), verified_by_id=by.id, **fields)
    db.session.add(service)
    db.session.flush()
    return service


def update_service(
    service: Service, revision: int | None, by: User, owner_id: int | None = None, **fields: Any
) -> None:
    """Saving the whole entry is checking it, so it is marked verified too."""
    service.check(revision)
    for name, value in fields.items():
        setattr(service, name, value)
    if owner_id is not None:
        service.owner_id = owner_id
    service.bump()
    _verified(service, by)
    db.session.flush()


def confirm_service(service: Service, by: User) -> None:
    """ "Still correct": nothing changes but who checked it and when."""
    _verified(service, by)
    db.session.flush()


def confirm_person(person: User, by: User) -> PersonCheck:
    check = db.session.scalar(sa.select(PersonCheck).where(PersonCheck.user_id == person.id))
    if check is None:
        check = PersonCheck(user_id=person.id)
        db.session.add(check)
    _verified(check, by)
    db.session.flush()
    return check


def _verified(entry: Service | PersonCheck, by: User) -> None:
    entry.verified_at, entry.verified_by_id = now_utc(), by.id
