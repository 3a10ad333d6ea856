from __future__ import annotations

from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from mdt.core.forms import BaseForm
from mdt.mfa.factors import Factors


class ConfirmItsYouForm(BaseForm):
    password = PasswordField(
        "Your password", validators=[DataRequired("Enter your password"), Length(max=1000)]
    )
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[Optional(), Length(max=40)],
    )
    #: A passkey's answer as JSON, put here by mdt/static/passkeys.js.
    passkey = HiddenField(validators=[Optional(), Length(max=20000)])

    def __init__(self, *args: object, factors: Factors | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if factors is None or not factors.totp:
            del self.code
        if factors is None or not factors.passkeys:
            del self.passkey

    def validate(self, extra_validators: object = None) -> bool:
        if not super().validate(extra_validators):  # type: ignore[arg-type]
            return False
        # Someone with an app types a code unless their passkey answered instead.
        if "code" in self and not self.code.data and not self.passkey_answer():
            self.code.errors = ["Enter the code from your authenticator app"]
            return False
        return True

    def forget_proof(self) -> None:
        """A code or passkey answer, used or wrong, is no use sent again."""
        for typed in ("code", "passkey"):
            if typed in self:
                self[typed].data = ""

    def passkey_answer(self) -> str:
        return self.passkey.data if "passkey" in self and self.passkey.data else ""
