"""The "Second factor" page, rendered from its own view and from the forms posted on it."""

from __future__ import annotations

from flask import render_template

from mdt.accounts.models import User
from mdt.mfa import operations as ops
from mdt.mfa import passkeys
from mdt.mfa.forms import AddPasskeyForm, RemoveFactorForm

#: The page has two forms with a password: the passkey one's fields are named passkey-*.
PASSKEY_PREFIX = "passkey"


def manage(
    user: User,
    *,
    remove_form: RemoveFactorForm | None = None,
    passkey_form: AddPasskeyForm | None = None,
    problem: str | None = None,
) -> str:
    totp_on = ops.confirmed_totp(user) is not None
    return render_template(
        "mfa/manage.html",
        on=totp_on,
        passkeys=passkeys.passkeys_of(user),
        required=ops.second_factor_required(user),
        codes_left=ops.recovery_codes_left(user) if totp_on else 0,
        form=remove_form or RemoveFactorForm(formdata=None),
        passkey_form=passkey_form or AddPasskeyForm(formdata=None, prefix=PASSKEY_PREFIX),
        problem=problem,
        title="Second factor",
    )
