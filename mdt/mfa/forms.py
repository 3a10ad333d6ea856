from __future__ import annotations

from wtforms import BooleanField, PasswordField, StringField
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


class ConfirmAppSignedInForm(ConfirmAppForm):
    password = PasswordField(
        "Your current password", validators=[DataRequired("Enter your current password")]
    )


class RemoveFactorForm(BaseForm):
    password = PasswordField(
        "Your current password", validators=[DataRequired("Enter your current password")]
    )
    code = StringField(
        "Code from your authenticator app, or a recovery code",
        validators=[DataRequired("Enter the code from your authenticator app"), Length(max=40)],
    )
    end_other_sessions = BooleanField("Sign me out everywhere else", default=True)


class PasskeyNameForm(BaseForm):
    """Adding a passkey: its name; the browser's answer comes with it as JSON
    (mdt/static/passkeys.js), with the CSRF token."""

    name = StringField(
        "Name for this passkey",
        description="So you can tell your passkeys apart, for example 'Work laptop'",
        validators=[DataRequired("Enter a name for this passkey"), Length(max=60)],
    )


class AddPasskeyForm(PasskeyNameForm):
    """The page's form: the password is checked before the browser is asked for a passkey,
    so someone at an unlocked screen cannot add theirs."""

    password = PasswordField(
        "Your current password", validators=[DataRequired("Enter your current password")]
    )


class RemovePasskeyForm(BaseForm):
    password = PasswordField(
        "Your current password", validators=[DataRequired("Enter your current password")]
    )
