from __future__ import annotations

from wtforms import (
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from mdt.core.fields import BIRTH, date_field
from mdt.core.forms import BaseForm, choices
from mdt.patients.nhs import InvalidNhsNumber, parse_nhs_number
from mdt.teams.models import DISCIPLINES

TEXT_LIMIT = 1000


def _long_text(label: str, required: str | None = None) -> TextAreaField:
    first = DataRequired(required) if required else Optional()
    return TextAreaField(
        label,
        validators=[
            first,
            Length(max=TEXT_LIMIT, message=f"Keep this to {TEXT_LIMIT} characters or fewer"),
        ],
    )


class CaseForm(BaseForm):
    nhs_number = StringField("NHS number", validators=[InputRequired("Enter the NHS number")])
    name = StringField(
        "Full name", validators=[DataRequired("Enter the person's full name"), Length(max=120)]
    )
    date_of_birth = date_field("Date of birth", BIRTH)
    registered_practice_id = SelectField(
        "Registered GP practice",
        coerce=int,
        validators=[DataRequired("Choose the practice the person is registered with")],
    )
    reason = _long_text("Reason for discussion", "Enter the reason for discussion")
    priority = RadioField(
        "Priority",
        choices=choices([("routine", "Routine"), ("urgent", "Urgent")]),
        default="routine",
    )
    late_reason = StringField(
        "If urgent after the cut-off: why it cannot wait",
        validators=[Optional(), Length(max=300)],
    )
    what_matters = _long_text("What matters to the person")
    questions = _long_text("Questions for the MDT")
    disciplines = SelectMultipleField(
        "Disciplines whose input is needed",
        choices=choices((d, d) for d in DISCIPLINES),
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    key_worker_id = SelectField("Key worker", coerce=int, validators=[Optional()])
    minutes = IntegerField(
        "Minutes for discussion",
        default=10,
        validators=[InputRequired("Enter the minutes for discussion")],
    )
    triage = RadioField(
        "Triage",
        choices=choices([("discussion", "For discussion"), ("information", "For information")]),
        default="discussion",
    )

    def validate_nhs_number(self, field: StringField) -> None:
        try:
            field.data = parse_nhs_number(field.data)
        except InvalidNhsNumber as exc:
            raise ValidationError(str(exc)) from None

    def validate_minutes(self, field: IntegerField) -> None:
        if field.data is None or not 1 <= field.data <= 60:
            raise ValidationError("Allow between 1 and 60 minutes")
