"""Long text fields show their limit and count down as people type: the NHS.UK character
count (issue 22, item 6). Every textarea of every form has a limit (a Length validator); the
macro shows it ("You can enter up to 1000 characters") for the NHS.UK script to count live,
and the server refuses one character more with a message that says the limit, counting a
line break as one character, as the count in the browser does."""

from __future__ import annotations

import inspect
from pathlib import Path

import pytest
from flask import render_template_string
from werkzeug.datastructures import MultiDict
from wtforms import TextAreaField
from wtforms.fields.core import UnboundField
from wtforms.validators import Length

from tests.core.test_typed_dates import _form_classes

TEMPLATES = Path(__file__).parents[2] / "templates"


def _textareas() -> list[tuple[type, str, int]]:
    found = []
    for form in _form_classes():
        for name in dir(form):
            unbound = getattr(form, name, None)
            if isinstance(unbound, UnboundField) and issubclass(unbound.field_class, TextAreaField):
                limits = [
                    v.max for v in unbound.kwargs.get("validators", []) if isinstance(v, Length)
                ]
                found.append((form, name, limits[0] if limits else 0))
    return found


TEXTAREAS = _textareas()


def test_every_textarea_of_every_form_has_a_limit():
    assert len(TEXTAREAS) >= 15  # prep, cases, actions, minutes, directory, teams, people...
    assert [f"{form.__name__}.{name}" for form, name, limit in TEXTAREAS if limit <= 0] == []


def test_every_textarea_is_drawn_by_the_macro_that_counts():
    raw = [p.name for p in TEMPLATES.rglob("*.html") if "<textarea" in p.read_text()]
    assert raw == []


def _form(form_class, data):  # type: ignore[no-untyped-def]
    needed = inspect.signature(form_class.__init__).parameters.values()
    extra = {p.name: [] for p in needed if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
    return form_class(formdata=MultiDict(data), meta={"csrf": False}, **extra)


def _errors(form, name: str) -> list[str]:  # type: ignore[no-untyped-def]
    """The field's errors as the form's validate() would give them (the other fields, whose
    choices the views fill in, left out)."""
    form._one_character_per_line_break()
    form[name].validate(form)
    return list(form[name].errors)


@pytest.mark.parametrize(
    ("form_class", "name", "limit"),
    TEXTAREAS,
    ids=[f"{f.__name__}.{n}" for f, n, _ in TEXTAREAS],
)
def test_each_limit_is_shown_counted_and_enforced(app, form_class, name, limit):
    with app.test_request_context(method="POST"):
        form = _form(form_class, {})
        page = render_template_string(
            '{% from "macros/forms.html" import textarea_field %}{{ textarea_field(f[n]) }}',
            f=form,
            n=name,
        )
        assert 'data-module="nhsuk-character-count"' in page
        assert f'data-maxlength="{limit}"' in page
        assert f"You can enter up to {limit} characters" in page
        assert f'aria-describedby="{form[name].id}-info' in page

        over = _errors(_form(form_class, {name: "x" * (limit + 1)}), name)
        assert any(f"{limit} characters or fewer" in e for e in over), over

        # At the limit with line breaks, as a browser posts them (CR LF): accepted.
        lines = "\r\n".join(["x" * 9] * (limit // 10))
        at_limit = _errors(_form(form_class, {name: lines.ljust(limit, "y")}), name)
        assert not any("characters or fewer" in e for e in at_limit), at_limit
