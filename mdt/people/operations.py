"""Saving a person's details from their own page or an administrator's. Flushes only."""

from __future__ import annotations

from mdt.accounts import operations as accounts
from mdt.accounts.models import User
from mdt.directory.operations import confirm_person


def save_own_details(user: User, revision: int | None, **fields: object) -> None:
    accounts.update_user(user, revision, **fields)
    # Saving your own details is saying they are right: the directory's "last checked".
    confirm_person(user, user)


def save_person(person: User, revision: int | None, **fields: object) -> None:
    """An administrator's save; someone who can no longer sign in is signed out too."""
    accounts.update_user(person, revision, **fields)
    if not person.is_active:
        accounts.end_all_sessions(person)
