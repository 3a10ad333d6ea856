from __future__ import annotations

from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from mdt.core.fields import RECORDED, date_field, time_field
from mdt.core.forms import BaseForm
from mdt.core.recurrence_form import RecurrenceFields

LABEL = [DataRequired("Say what it is, like Tuesday morning surgery"), Length(max=120)]


class RecurringCommitmentForm(RecurrenceFields):
    label = StringField("What it is", validators=LABEL)
    start_time = time_field("Start time")
    end_time = time_field(
        "End time", after=("start_time", "The end time must be after the start time")
    )


class AbsenceForm(BaseForm):
    label = StringField("What it is", validators=LABEL, default="Annual leave")
    start_date = date_field("First day", RECORDED)
    end_date = date_field("Last day", RECORDED)

    def validate_end_date(self, field: object) -> None:
        if (
            self.start_date.data
            and self.end_date.data
            and self.end_date.data < self.start_date.data
        ):
            raise ValidationError("The last day must be on or after the first day")
