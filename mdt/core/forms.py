"""Shared form pieces: the bare button form, revision fields, friendlier CSRF errors, and
the refusal of control characters in anything typed."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from typing import Any

from flask import request
from flask_wtf import FlaskForm
from wtforms import Field, IntegerField, SelectChoice, StringField
from wtforms.validators import Optional, StopValidation
from wtforms.widgets import HiddenInput, TextArea

CSRF_MESSAGE = (
    "This form had expired or did not come from this site, so nothing was saved. "
    "Check your answers and submit the form again."
)


#: NUL, the other C0 and the C1 control characters, and DEL: nobody types them (a paste from
#: a terminal might bring escape codes), and PostgreSQL refuses NUL in text with an error.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: The same in free text (a textarea), where tabs, new lines and the CR of a browser's CRLF
#: are the text's own.
CONTROL_IN_FREE_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")


def has_control_characters(field: Field, value: Any) -> bool:
    if not isinstance(value, str):
        return False
    free_text = isinstance(field.widget, TextArea)
    return bool((CONTROL_IN_FREE_TEXT if free_text else CONTROL_CHARACTERS).search(value))


def control_characters_message(field: Field) -> str:
    return (
        f"{field.label.text} contains control characters (invisible codes such as NUL or "
        "escape, often from a paste): remove them"
    )


class _RefuseControlCharacters:
    """Put first in a field's validators: stops the field's own checks (some look the value
    up in the database) with the one message that says what to fix."""

    def __init__(self, message: str) -> None:
        self.message = message

    def __call__(self, form: Any, field: Field) -> None:
        raise StopValidation(self.message)


class BaseForm(FlaskForm):
    """A FlaskForm whose CSRF failure reads as an instruction, not as jargon, and which
    refuses control characters in every field (what was typed stays in the field)."""

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        self._one_character_per_line_break()
        refused = self._refuse_control_characters()
        ok = super().validate(extra_validators)
        csrf = getattr(self, "csrf_token", None)
        if csrf is not None and csrf.errors:
            csrf.errors = [CSRF_MESSAGE]
        return ok and not refused

    def _one_character_per_line_break(self) -> None:
        """A browser posts a textarea's line breaks as CR LF but counts each as one character
        (the NHS.UK character count does too): kept as LF, the limits count what was shown."""
        for field in self:
            if isinstance(field.widget, TextArea) and isinstance(field.data, str):
                field.data = field.data.replace("\r\n", "\n")

    def _refuse_control_characters(self) -> bool:
        refused = False
        for field in self:
            if field.type == "CSRFTokenField":
                continue
            if any(has_control_characters(field, v) for v in field.raw_data or ()):
                refusal = _RefuseControlCharacters(control_characters_message(field))
                field.validators = [refusal, *field.validators]
                refused = True
        return refused

    def first_field_id(self) -> str:
        for field in self:
            hidden = getattr(field.widget, "input_type", None) == "hidden"
            if not hidden and field.type not in {"CSRFTokenField", "SubmitField"}:
                return getattr(field, "error_target", field.id)  # a date: its first box
        return "maincontent"


class SearchForm(BaseForm):
    """A search box in the query string, checked like any form; no CSRF token, since a
    search changes nothing. Made by search_form()."""

    class Meta:
        csrf = False

    max_length = 200

    def text(self) -> str:
        """What to search for: nothing while the box has an error."""
        if self.errors:
            return ""
        field = next(iter(self))
        return (field.data or "").strip()[: self.max_length]


@functools.cache
def _search_form_class(name: str, label: str, max_length: int) -> type[SearchForm]:
    fields: dict[str, Any] = {name: StringField(label), "max_length": max_length}
    return type(f"SearchForm_{name}", (SearchForm,), fields)


def search_form(name: str, label: str, max_length: int = 200) -> SearchForm:
    """The search box `name` of this request's query string, validated."""
    form = _search_form_class(name, label, max_length)(formdata=request.args)
    form.validate()
    return form


class EmptyForm(BaseForm):
    """A POST-only button: carries nothing but the CSRF token."""


def revision_field() -> IntegerField:
    """The revision the user started editing from; a newer one in the database is a conflict."""
    return IntegerField(widget=HiddenInput(), validators=[Optional()])


def choices(pairs: Iterable[tuple[object, str]]) -> list[SelectChoice]:
    """Options for a SelectField from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]  # type: ignore[arg-type]
