from __future__ import annotations

from wtforms import StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, ValidationError

from mdt.core.forms import BaseForm
from mdt.patients.nhs import InvalidNhsNumber, parse_nhs_number

REASON_LIMIT = 500


def nhs_number_field() -> StringField:
    return StringField("NHS number", validators=[InputRequired("Enter the NHS number")])


def check_nhs_number(field: StringField) -> None:
    """Keep the digits (the form shows them back as typed when they are wrong)."""
    try:
        field.data = parse_nhs_number(field.data)
    except InvalidNhsNumber as exc:
        raise ValidationError(str(exc)) from None


def _reason(label: str, required: str) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[
            DataRequired(required),
            Length(max=REASON_LIMIT, message=f"Keep this to {REASON_LIMIT} characters or fewer"),
        ],
    )


class HoldForm(BaseForm):
    nhs_number = nhs_number_field()
    reason = _reason("Why the records must be kept", "Enter why the records must be kept")

    def validate_nhs_number(self, field: StringField) -> None:
        check_nhs_number(field)


class LiftForm(BaseForm):
    reason = _reason("Why the hold can be lifted", "Enter why the hold can be lifted")
