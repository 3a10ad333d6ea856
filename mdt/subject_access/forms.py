from __future__ import annotations

from wtforms import RadioField, StringField

from mdt.core.forms import BaseForm, choices
from mdt.retention.forms import check_nhs_number, nhs_number_field


class SubjectAccessForm(BaseForm):
    """Posted, never a query string: the NHS number must not reach an address or a log."""

    nhs_number = nhs_number_field()
    format = RadioField(
        "What to produce",
        choices=choices(
            [
                ("page", "A page to read or print"),
                ("json", "A JSON file (FHIR R4 resources), for another system"),
            ]
        ),
        default="page",
    )

    def validate_nhs_number(self, field: StringField) -> None:
        check_nhs_number(field)
