from __future__ import annotations

from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from mdt.core.forms import BaseForm


class CodeForm(BaseForm):
    code = StringField(
        "Code",
        description="The 6-digit code from your authenticator app, or one of your recovery codes",
        validators=[DataRequired("Enter the code from your authenticator app"), Length(max=40)],
    )


class ConfirmAppForm(BaseForm):
    code = StringField(
        "Code from the app",
        description="Type the 6-digit code the app shows now",
        validators=[DataRequired("Enter the code from your authenticator app"), Length(max=40)],
    )


END_OTHERS_LABEL = "Sign me out everywhere else"


class ConfirmAppSignedInForm(ConfirmAppForm):
    end_other_sessions = BooleanField(END_OTHERS_LABEL, default=True)


class RemoveFactorForm(BaseForm):
    end_other_sessions = BooleanField(END_OTHERS_LABEL, default=True)


class ResetFactorForm(BaseForm):
    reason = TextAreaField(
        "Why are you resetting it?",
        validators=[
            DataRequired("Say why you are resetting their second factor"),
            Length(max=500, message="Keep the reason to 500 characters or fewer"),
        ],
    )


class PasskeyNameForm(BaseForm):
    """Adding a passkey: its name; the browser's answer comes with it as JSON
    (mdt/static/passkeys.js), with the CSRF token. No password: adding one is guarded by
    "Confirm it's you" (mdt.reauth)."""

    name = StringField(
        "Name for this passkey",
        description="So you can tell your passkeys apart, for example 'Work laptop'",
        validators=[DataRequired("Enter a name for this passkey"), Length(max=60)],
    )


class RemovePasskeyForm(BaseForm):
    end_other_sessions = BooleanField(END_OTHERS_LABEL, default=True)
