from __future__ import annotations

from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional

from mdt.accounts.forms import EMAIL_FORMAT
from mdt.core.forms import BaseForm, choices, revision_field


def _at_most(n: int) -> Length:
    return Length(max=n, message=f"Keep this to {n} characters or fewer")


class ServiceForm(BaseForm):
    name = StringField(
        "Name of the service",
        validators=[DataRequired("Enter the name of the service"), _at_most(200)],
    )
    description = TextAreaField(
        "What the service does",
        validators=[DataRequired("Enter what the service does"), _at_most(2000)],
    )
    who_for = TextAreaField(
        "Who it is for",
        validators=[DataRequired("Enter who the service is for"), _at_most(1000)],
    )
    how_to_refer = TextAreaField(
        "How to refer",
        validators=[DataRequired("Enter how to refer someone to the service"), _at_most(1000)],
    )
    phone = StringField("Phone number (optional)", validators=[Optional(), _at_most(40)])
    email = EmailField(
        "Email address (optional)", validators=[Optional(), Email(EMAIL_FORMAT), _at_most(254)]
    )
    opening_hours = StringField("Opening hours (optional)", validators=[Optional(), _at_most(300)])
    organisation_id = SelectField(
        "Organisation that runs it", coerce=int, validators=[DataRequired("Choose an organisation")]
    )
    owner_id = SelectField(
        "Who keeps this entry up to date",
        coerce=int,
        validators=[DataRequired("Choose who keeps this entry up to date")],
    )
    revision = revision_field()

    def __init__(
        self,
        *args: object,
        organisations: list[tuple[int, str]],
        owners: list[tuple[int, str]] | None = None,
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id.choices = choices([(0, "Choose an organisation"), *organisations])
        # Only administrators hand an entry to someone else; others keep what they own.
        if owners is None:
            del self.owner_id
        else:
            self.owner_id.choices = choices([(0, "Choose a person"), *owners])

    def column_values(self) -> dict[str, object]:
        """What the user typed, trimmed, as the model's columns."""
        return {
            "name": self.name.data.strip(),
            "description": self.description.data.strip(),
            "who_for": self.who_for.data.strip(),
            "how_to_refer": self.how_to_refer.data.strip(),
            "phone": (self.phone.data or "").strip(),
            "email": (self.email.data or "").strip(),
            "opening_hours": (self.opening_hours.data or "").strip(),
            "organisation_id": self.organisation_id.data,
        }
