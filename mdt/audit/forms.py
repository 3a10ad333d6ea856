from __future__ import annotations

from wtforms import DateField, SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from mdt.core.forms import BaseForm


class DayField(DateField):
    """A date typed or picked as YYYY-MM-DD, with an error that says what to type."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, like 2027-01-31") from None


class AuditFilterForm(BaseForm):
    """The audit log's filters. Read from the query string: it changes nothing, so no CSRF."""

    class Meta:
        csrf = False

    user_id = SelectField("Who", coerce=int, default=0)
    patient = StringField("Patient (NHS number or name)", validators=[Optional(), Length(max=120)])
    date_from = DayField("From", validators=[Optional()])
    date_to = DayField("To", validators=[Optional()])

    def validate_date_to(self, field: DayField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The 'to' date must be the same as or after the 'from' date")
