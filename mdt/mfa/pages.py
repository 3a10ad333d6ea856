"""The "Security settings" page, rendered from its own view and from the forms posted on it."""

from __future__ import annotations

from flask import render_template

from mdt.accounts.models import User
from mdt.core.forms import EmptyForm
from mdt.mfa import operations as ops
from mdt.mfa import passkeys
from mdt.mfa.forms import PasskeyNameForm, RemoveFactorForm

#: The passkey form's fields are named passkey-* (the page has several forms).
PASSKEY_PREFIX = "passkey"


def manage(
    user: User,
    *,
    remove_form: RemoveFactorForm | None = None,
    passkey_form: PasskeyNameForm | None = None,
    problem: str | None = None,
) -> str:
    totp_on = ops.confirmed_totp(user) is not None
    return render_template(
        "mfa/manage.html",
        on=totp_on,
        passkeys=passkeys.passkeys_of(user),
        required=ops.always_required(user),
        codes_left=ops.recovery_codes_left(user) if totp_on else 0,
        form=remove_form or RemoveFactorForm(formdata=None),
        passkey_form=passkey_form or PasskeyNameForm(formdata=None, prefix=PASSKEY_PREFIX),
        button=EmptyForm(formdata=None),
        problem=problem,
        title="Security settings",
    )
