"""Who may reset whose second factor."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from mdt.accounts.models import User
from mdt.extensions import db


def person_whose_factor_may_be_reset(user_id: int) -> User:
    """An administrator of the person's own organisation may reset it, never their own
    (someone at an administrator's unlocked screen could otherwise strip the factor that
    guards administration): 403 for everyone else."""
    person = db.session.get(User, user_id) or abort(404)
    me: User = current_user  # type: ignore[assignment]
    if not me.is_admin or me.organisation_id != person.organisation_id or me.id == person.id:
        abort(403)
    return person
