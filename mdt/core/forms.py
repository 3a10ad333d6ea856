"""Shared form pieces: the bare button form, revision fields and friendlier CSRF errors."""

from __future__ import annotations

from collections.abc import Iterable

from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectChoice
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

CSRF_MESSAGE = (
    "This form had expired or did not come from this site, so nothing was saved. "
    "Check your answers and submit the form again."
)


class BaseForm(FlaskForm):
    """A FlaskForm whose CSRF failure reads as an instruction, not as jargon."""

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        ok = super().validate(extra_validators)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:
            csrf.errors = [CSRF_MESSAGE]
        return ok

    def first_field_id(self) -> str:
        for field in self:
            hidden = getattr(field.widget, "input_type", None) == "hidden"
            if not hidden and field.type not in {"CSRFTokenField", "SubmitField"}:
                return field.id
        return "maincontent"


class EmptyForm(BaseForm):
    """A POST-only button: carries nothing but the CSRF token."""


def revision_field() -> IntegerField:
    """The revision the user started editing from; a newer one in the database is a conflict."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]
