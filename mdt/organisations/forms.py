from wtforms import BooleanField, IntegerField, SelectField, SelectMultipleField, StringField
from wtforms.validators import (
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from mdt.core.forms import BaseForm, choices, revision_field
from mdt.organisations.models import ORGANISATION_TYPE_LABELS, Organisation


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

    def values(self) -> tuple[str, str, str | None, int | None]:
        """Name, type, ODS code and retention years, in update_organisation's order."""
        return self.name.data, self.type.data, self.ods_code.data, self.retention_years.data


class IdentitySettingsForm(BaseForm):
    """Which configured OpenID Connect providers the organisation's people may sign in
    with, and whether they must."""

    providers = SelectMultipleField(
        "Its people may sign in with",
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validate_choice=False,  # validate_providers says it in words
    )
    require_oidc = BooleanField("Its people must sign in with one of these, not a password")
    revision = revision_field()

    def __init__(self, *args: object, configured: list[tuple[str, str]], **kwargs: object):
        super().__init__(*args, **kwargs)
        self.providers.choices = choices(configured)

    @staticmethod
    def saved(org: Organisation) -> dict[str, object]:
        """The form's data as the organisation has it now."""
        return {
            "providers": org.oidc_providers.split(),
            "require_oidc": org.require_oidc,
            "revision": org.revision,
        }

    def values(self) -> tuple[list[str], bool]:
        """The providers and whether they are required, in set_identity_settings's order."""
        return self.providers.data or [], self.require_oidc.data

    def validate_providers(self, field: SelectMultipleField) -> None:
        known = {choice.value for choice in field.choices or ()}  # type: ignore[union-attr]
        unknown = [name for name in field.data or () if name not in known]
        if unknown:
            raise ValidationError(
                f"{', '.join(unknown)} is not a provider this service is set up for"
            )

    def validate_require_oidc(self, field: BooleanField) -> None:
        if field.data and not self.providers.data:
            raise ValidationError(
                "Choose at least one provider: with none, nobody here could sign in"
            )
