from __future__ import annotations

from datetime import date
from typing import Any

from wtforms import EmailField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError

from mdt.core.fields import UPCOMING, date_field
from mdt.core.forms import BaseForm, revision_field

NOTE = [Length(max=1000, message="Keep this to 1000 characters or fewer")]


class NotInPast:
    """The date may not be before the form's `today` (the team's local date)."""

    def __call__(self, form: Any, field: Any) -> None:
        today: date | None = getattr(form, "today", None)
        if field.data is not None and today is not None and field.data < today:
            raise ValidationError(
                f"The due date is in the past: choose today ({today:%-d %B %Y}) or later"
            )


class ActionForm(BaseForm):
    """One action: exactly one owner, from the list or a new contact, and a due date."""

    description = TextAreaField(
        "What needs doing",
        validators=[DataRequired("Say what needs doing"), *NOTE],
    )
    owner_id = SelectField("Owner", coerce=int, validators=[Optional()])
    contact_name = StringField("Name", validators=[Optional(), Length(max=120)])
    contact_email = EmailField(
        "Email",
        validators=[
            Optional(),
            Email("Enter the email address in the right format, like name@example.nhs.uk"),
            Length(max=254),
        ],
    )
    contact_organisation_id = SelectField("Organisation", coerce=int, validators=[Optional()])
    due_date = date_field("Due date", UPCOMING)

    #: The team's local date; set by the view before validating.
    today: date | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.due_date.validators = [*self.due_date.validators, NotInPast()]

    def validate_owner_id(self, field: SelectField) -> None:
        listed = bool(field.data)
        contact = bool((self.contact_name.data or "").strip() or self.contact_email.data)
        if listed and contact:
            raise ValidationError(
                "An action has exactly one owner: choose someone from the list or add a new "
                "contact, not both"
            )
        if not listed and not contact:
            raise ValidationError("Choose the one person who owns this action")

    def validate_contact_email(self, field: EmailField) -> None:
        if (self.contact_name.data or "").strip() and not field.data:
            raise ValidationError("Enter the new contact's email, so they hear about it")

    def validate_contact_name(self, field: StringField) -> None:
        if self.contact_email.data and not (field.data or "").strip():
            raise ValidationError("Enter the new contact's name")

    def validate_contact_organisation_id(self, field: SelectField) -> None:
        if (self.contact_email.data or (self.contact_name.data or "").strip()) and not field.data:
            raise ValidationError("Choose the new contact's organisation")


class DoneForm(BaseForm):
    note = TextAreaField(
        "What was done", validators=[DataRequired("Say briefly what was done"), *NOTE]
    )
    revision = revision_field()


class CancelForm(BaseForm):
    # Own ids: the action's page holds this form beside others with a "reason" field, and
    # a label finds its field by id.
    reason = TextAreaField(
        "Why it is cancelled",
        validators=[DataRequired("Say why it is cancelled"), *NOTE],
        id="cancel-reason",
    )
    revision = revision_field()


class ReopenForm(BaseForm):
    reason = StringField(
        "Why it is reopened", validators=[DataRequired("Say why it is reopened"), *NOTE]
    )
    revision = revision_field()


class ReassignForm(BaseForm):
    owner_id = SelectField(
        "New owner", coerce=int, validators=[DataRequired("Choose who takes it over")]
    )
    revision = revision_field()


class RescheduleForm(BaseForm):
    due_date = date_field("New due date", UPCOMING)
    reason = StringField(
        "Why it moves",
        validators=[DataRequired("Say why the date moves"), Length(max=300)],
        id="reschedule-reason",
    )
    revision = revision_field()

    today: date | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.due_date.validators = [*self.due_date.validators, NotInPast()]
