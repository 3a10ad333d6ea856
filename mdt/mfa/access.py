"""Loading a person's own second factors: another person's is not found."""

from __future__ import annotations

from flask import abort

from mdt.accounts.models import User
from mdt.extensions import db
from mdt.mfa.models import Passkey


def get_own_passkey_or_404(user: User, passkey_id: int) -> Passkey:
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        abort(404)
    return passkey
