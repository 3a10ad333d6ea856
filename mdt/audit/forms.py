from __future__ import annotations

from wtforms import SelectField, StringField, ValidationError
from wtforms.validators import Length, Optional

from mdt.core.date_input import NhsDateField
from mdt.core.fields import RECORDED, date_field
from mdt.core.forms import BaseForm


class AuditFilterForm(BaseForm):
    """The audit log's filters. Read from the query string: it changes nothing, so no CSRF."""

    class Meta:
        csrf = False

    user_id = SelectField("Who", coerce=int, default=0)
    patient = StringField("Patient (NHS number or name)", validators=[Optional(), Length(max=120)])
    date_from = date_field("From", RECORDED, required=False, noun="The 'from' date")
    date_to = date_field("To", RECORDED, required=False, noun="The 'to' date")

    def validate_date_to(self, field: NhsDateField) -> None:
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The 'to' date must be the same as or after the 'from' date")
