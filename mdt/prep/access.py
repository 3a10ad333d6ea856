"""Who may fill in a preparation request."""

from __future__ import annotations

from flask import abort

from mdt.accounts.access import signed_in_user
from mdt.extensions import db
from mdt.prep.models import PrepRequest


def get_request_or_404(request_id: int) -> PrepRequest:
    """Only the person who owes it: a request is never someone else's to fill in."""
    prep = db.session.get(PrepRequest, request_id)
    if prep is None or prep.user_id != signed_in_user().id:
        abort(404)
    return prep
