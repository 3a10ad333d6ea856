"""Who may change an organisation's sign-in settings."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from mdt.extensions import db
from mdt.organisations.models import Organisation


def organisation_i_administer(org_id: int) -> Organisation:
    """An organisation's own administrators (administrators who belong to it) set how its
    people sign in; administrators of other organisations get 403."""
    org = db.session.get(Organisation, org_id) or abort(404)
    if not current_user.administers(org.id):
        abort(403)
    return org
