from __future__ import annotations

from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Optional

from mdt.core.forms import BaseForm


class ConfirmItsYouForm(BaseForm):
    password = PasswordField(
        "Your password", validators=[DataRequired("Enter your password"), Length(max=1000)]
    )
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[Optional(), Length(max=40)],
    )

    def __init__(self, *args: object, needs_code: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if needs_code:
            self.code.validators = [
                DataRequired("Enter the code from your authenticator app"),
                Length(max=40),
            ]
        else:
            del self.code
