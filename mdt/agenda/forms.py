from __future__ import annotations

from typing import Any

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

from mdt.agenda.models import Priority, Triage
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
    #: Asked for only once the agenda has closed (the view shows it then: agenda_closed).
    late_reason = StringField(
        "Why this urgent case cannot wait for the next meeting",
        # No Optional(): it would stop validate_late_reason, which requires it after the cut-off.
        validators=[Length(max=300, message="Keep this to 300 characters or fewer")],
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

    #: Set by the view: after the agenda's cut-off a case needs the reason it cannot wait.
    agenda_closed = False

    def late_reason_given(self) -> str | None:
        """Before the cut-off the reason is not asked for, so whatever came with the form
        is not it."""
        return self.late_reason.data if self.agenda_closed else None

    def person(self) -> dict[str, Any]:
        """Who the case is about, as `find_or_create_patient` takes them."""
        return {
            "nhs_number": self.nhs_number.data,
            "name": self.name.data,
            "date_of_birth": self.date_of_birth.data,
            "practice_id": self.registered_practice_id.data,
        }

    def case_fields(self) -> dict[str, Any]:
        """The case's own details, as `add_case` takes them."""
        return {
            "reason": self.reason.data,
            "priority": Priority(self.priority.data),
            "late_reason": self.late_reason_given(),
            "what_matters": (self.what_matters.data or "").strip(),
            "questions": (self.questions.data or "").strip(),
            "disciplines_needed": "|".join(self.disciplines.data or []),
            "key_worker_id": self.key_worker_id.data or None,
            "minutes": self.minutes.data,
            "triage": Triage(self.triage.data),
        }

    def validate_late_reason(self, field: StringField) -> None:
        if self.agenda_closed and not (field.data or "").strip():
            raise ValidationError("Say why this urgent case cannot wait for the next meeting")

    def validate_nhs_number(self, field: StringField) -> None:
        try:
            field.data = parse_nhs_number(field.data)
        except InvalidNhsNumber as exc:
            raise ValidationError(str(exc)) from None

    def validate_minutes(self, field: IntegerField) -> None:
        if field.data is None or not 1 <= field.data <= 60:
            raise ValidationError("Allow between 1 and 60 minutes")
