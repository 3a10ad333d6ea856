from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from mdt.core.forms import BaseForm
from mdt.fhir import scopes
from mdt.fhir.tokens import load_key_set


class ClientForm(BaseForm):
    name = StringField(
        "Name of the system",
        validators=[DataRequired("Enter the name of the system"), Length(max=120)],
    )
    organisation_id = SelectField(
        "Organisation it acts for",
        coerce=int,
        validators=[DataRequired("Choose the organisation the system acts for")],
    )
    scopes = StringField(
        "Scopes",
        validators=[DataRequired("Enter at least one scope"), Length(max=1000)],
        default="system/*.rs",
    )
    jwks = TextAreaField(
        "Public keys (JWKS)",
        validators=[
            DataRequired("Paste the system's public keys as a JWKS"),
            Length(max=20000, message="Keep the keys to 20000 characters or fewer"),
        ],
    )

    def validate_scopes(self, field: StringField) -> None:
        wrong = [s for s in (field.data or "").split() if not scopes.is_valid(s)]
        if wrong:
            raise ValidationError(
                f"These are not SMART system scopes: {', '.join(wrong)}. "
                "Write them like system/Task.rs or system/ServiceRequest.c"
            )

    def validate_jwks(self, field: TextAreaField) -> None:
        try:
            load_key_set(field.data or "")
        except ValueError:
            raise ValidationError(
                'Paste a JWKS of public RSA or EC keys: {"keys": [{"kty": "RSA", ...}]}'
            ) from None
