"""Loading second factors: a person's own passkey (another person's is not found), and
whose second factor an administrator may reset."""

from __future__ import annotations

from flask import abort

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.extensions import db
from mdt.mfa.models import Passkey


def person_whose_factor_may_be_reset(user_id: int) -> User:
    """An administrator of the person's own organisation may reset it, never their own
    (someone at an administrator's unlocked screen could otherwise strip the factor that
    guards administration): 403 for everyone else."""
    person = db.session.get(User, user_id) or abort(404)
    me: User = signed_in_user()
    if not me.administers(person.organisation_id) or me.id == person.id:
        abort(403)
    return person


def get_own_passkey_or_404(user: User, passkey_id: int) -> Passkey:
    passkey = db.session.get(Passkey, passkey_id)
    if passkey is None or passkey.user_id != user.id:
        abort(404)
    return passkey
