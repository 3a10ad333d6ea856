"""The form fields of a recurrence rule, shared by protected slots and members' commitments."""

from __future__ import annotations

from typing import Any

from wtforms import IntegerField, RadioField
from wtforms.validators import InputRequired, StopValidation, ValidationError

from mdt.core.fields import RECORDED, OrdinalField, date_field, weekday_field
from mdt.core.forms import BaseForm, choices
from mdt.core.recurrence import Frequency


def _weeks_apart_if_weekly(form: Any, field: IntegerField) -> None:
    """Left empty (or spaces), the weeks apart are asked for by a weekly rule and ignored by a
    monthly one, as Optional() would ignore them: Optional() alone let a weekly rule through
    with none, which failed when its dates were worked out."""
    if not field.raw_data or str(field.raw_data[0]).strip():
        return  # typed (its own checks follow), or not sent at all (the default stands)
    field.errors[:] = []
    if form.frequency.data == Frequency.WEEKLY.value:
        raise StopValidation("Enter how many weeks apart, from 1 to 12")
    raise StopValidation()


class RecurrenceFields(BaseForm):
    frequency = RadioField(
        "How often",
        choices=choices([("weekly", "Weekly, or every few weeks"), ("monthly", "Monthly")]),
        default="weekly",
        validators=[InputRequired("Choose how often")],
    )
    interval = IntegerField(
        "Every how many weeks",
        default=1,
        validators=[_weeks_apart_if_weekly],
    )
    weekday = weekday_field()
    ordinal = OrdinalField()
    start_date = date_field("Start date", RECORDED)
    end_date = date_field("End date (optional)", RECORDED, required=False)

    def validate_interval(self, field: IntegerField) -> None:
        if self.frequency.data == Frequency.WEEKLY.value and not (
            field.data is not None and 1 <= field.data <= 12
        ):
            raise ValidationError("Repeat every 1 to 12 weeks")

    def validate_end_date(self, field: object) -> None:
        if (
            self.end_date.data
            and self.start_date.data
            and self.end_date.data < self.start_date.data
        ):
            raise ValidationError("The end date must be on or after the start date")
