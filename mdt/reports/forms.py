from __future__ import annotations

from datetime import date

from wtforms import ValidationError

from mdt.core.date_input import NhsDateField
from mdt.core.fields import RECORDED, date_field
from mdt.core.forms import BaseForm

#: Longer periods would draw a trend of hundreds of months; nobody audits that far back.
LONGEST_YEARS = 10


class PeriodForm(BaseForm):
    """The report's period, from the query string: it changes nothing, so no CSRF."""

    class Meta:
        csrf = False

    date_from = date_field("From", RECORDED, required=False, noun="The 'from' date")
    date_to = date_field("To", RECORDED, required=False, noun="The 'to' date")

    def validate_date_to(self, field: NhsDateField) -> None:
        if field.data and self.date_from.data:
            if field.data < self.date_from.data:
                raise ValidationError("The 'to' date must be the same as or after the 'from' date")
            if (field.data - self.date_from.data).days > 366 * LONGEST_YEARS:
                raise ValidationError(f"Choose a period of {LONGEST_YEARS} years or less")


def default_period(today: date) -> tuple[date, date]:
    """The last 12 months: from the 1st of the month eleven months ago, to today, so the
    trend has twelve whole or nearly whole months."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today
