from wtforms import IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from mdt.core.forms import BaseForm, choices, revision_field
from mdt.organisations.models import ORGANISATION_TYPE_LABELS


class OrganisationForm(BaseForm):
    name = StringField(
        "Name", validators=[DataRequired("Enter the organisation's name"), Length(max=200)]
    )
    type = SelectField(
        "Type",
        choices=choices(
            [("", "Choose a type")]
            + [(t.value, label) for t, label in ORGANISATION_TYPE_LABELS.items()]
        ),
        validators=[DataRequired("Choose the type of organisation")],
    )
    ods_code = StringField(
        "ODS code (optional)",
        validators=[
            Optional(),
            Regexp(
                r"^[A-Za-z0-9]{3,12}$",
                message="An ODS code is 3 to 12 letters and numbers, like F84012",
            ),
        ],
    )
    retention_years = IntegerField(
        "Keep patients' MDT records for (years, optional)",
        validators=[
            Optional(),
            NumberRange(min=1, max=100, message="Enter a number of years from 1 to 100"),
        ],
    )
    revision = revision_field()
