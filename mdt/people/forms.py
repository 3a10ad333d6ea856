from __future__ import annotations

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional, ValidationError

from mdt.accounts.forms import EMAIL_FORMAT
from mdt.accounts.passwords import MAX_LENGTH, password_problem
from mdt.accounts.professions import PROFESSIONS
from mdt.core.forms import BaseForm, choices, revision_field


class LoginForm(BaseForm):
    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter your email address"), Email(EMAIL_FORMAT), Length(max=254)],
    )
    password = PasswordField("Password", validators=[DataRequired("Enter your password")])


class NewPasswordForm(BaseForm):
    password = PasswordField(
        "New password",
        validators=[DataRequired("Enter a new password"), Length(max=MAX_LENGTH)],
    )
    confirm = PasswordField(
        "Type the new password again",
        validators=[
            DataRequired("Type the new password again"),
            EqualTo("password", "The two passwords do not match"),
        ],
    )

    def __init__(self, *args: object, personal: list[str] | None = None, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self._personal = personal or []

    def validate_password(self, field: PasswordField) -> None:
        problem = password_problem(field.data or "", self._personal)
        if problem:
            raise ValidationError(problem)


END_OTHERS_LABEL = "Sign me out everywhere else"


class ChangePasswordForm(NewPasswordForm):
    end_other_sessions = BooleanField(END_OTHERS_LABEL, default=True)


class ChangeEmailForm(BaseForm):
    email = EmailField(
        "New email address",
        validators=[DataRequired("Enter an email address"), Email(EMAIL_FORMAT), Length(max=254)],
    )
    end_other_sessions = BooleanField(END_OTHERS_LABEL, default=True)


class ContactDetailsForm(BaseForm):
    name = StringField(
        "Full name", validators=[DataRequired("Enter your full name"), Length(max=120)]
    )
    phone = StringField("Phone number", validators=[Optional(), Length(max=40)])
    how_to_reach = TextAreaField(
        "How to reach me",
        validators=[Optional(), Length(max=500, message="Keep this to 500 characters or fewer")],
    )
    revision = revision_field()

    def values(self) -> dict[str, object]:
        """The details as saved: trimmed, an empty optional field as ""."""
        return {
            "name": self.name.data.strip(),
            "phone": (self.phone.data or "").strip(),
            "how_to_reach": (self.how_to_reach.data or "").strip(),
        }


class UserForm(ContactDetailsForm):
    """An administrator's form for any person's account."""

    email = EmailField(
        "Email address",
        validators=[DataRequired("Enter an email address"), Email(EMAIL_FORMAT), Length(max=254)],
    )
    profession = SelectField(
        "Profession",
        choices=choices([("", "Choose a profession")] + [(p, p) for p in PROFESSIONS]),
        validators=[DataRequired("Choose a profession")],
    )
    organisation_id = SelectField(
        "Organisation", coerce=int, validators=[DataRequired("Choose an organisation")]
    )
    is_active = BooleanField("Can sign in", default=True)
    is_admin = BooleanField("System administrator")

    def __init__(self, *args: object, organisations: list[tuple[int, str]], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices([(0, "Choose an organisation"), *organisations])
        self.name.label.text = "Full name"

    def values(self) -> dict[str, object]:
        return {
            "name": self.name.data.strip(),
            "email": self.email.data.strip(),
            "profession": self.profession.data,
            "organisation_id": self.organisation_id.data,
            "phone": (self.phone.data or "").strip(),
            "how_to_reach": (self.how_to_reach.data or "").strip(),
            "is_active": self.is_active.data,
            "is_admin": self.is_admin.data,
        }


class PasswordLinkForm(BaseForm):
    send_email = BooleanField("Also email the link to them")
