"""The form fields' markup (mdt/core/widgets.py) is the NHS.UK macros' markup: same elements,
same attributes, same text, in the same order, for every option the templates use."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask import Flask, render_template_string
from wtforms import BooleanField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from mdt.core.fields import UPCOMING, date_field
from mdt.core.forms import BaseForm, choices

NHSUK = """
{%- from "nhsuk/components/input/macro.jinja" import input as nhsukInput -%}
{%- from "nhsuk/components/textarea/macro.jinja" import textarea as nhsukTextarea -%}
{%- from "nhsuk/components/select/macro.jinja" import select as nhsukSelect -%}
{%- from "nhsuk/components/checkboxes/macro.jinja" import checkboxes as nhsukCheckboxes -%}
{%- from "nhsuk/components/radios/macro.jinja" import radios as nhsukRadios -%}
{%- from "nhsuk/components/button/macro.jinja" import button as nhsukButton -%}
{%- from "nhsuk/components/date-input/macro.jinja" import dateInput as nhsukDateInput -%}
{%- from "nhsuk/components/character-count/macro.jinja" import characterCount as nhsukCount -%}
"""


class Sample(BaseForm):
    class Meta:
        csrf = False

    name = StringField("Your name")
    notes = TextAreaField("Notes and things")
    team = SelectField("Team", choices=choices([("", "Choose"), ("1", "Riverside & Co")]))
    known = RadioField("Known?", choices=choices([("yes", "Yes"), ("no", "No")]))
    urgent = BooleanField("Urgent")
    due = date_field("Due date", UPCOMING)
    brief = TextAreaField("In brief", validators=[Length(max=200)])


class Tokens(HTMLParser):
    """Start tags with their attributes (order-free), end tags, and text without the
    whitespace between tags: what a browser or a screen reader gets."""

    def __init__(self) -> None:
        super().__init__()
        self.out: list[tuple[str, ...]] = []

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self.out.append(("<", tag, *sorted(f"{k}={v}" for k, v in dict(attrs).items())))

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        self.out.append((">", tag))

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if " ".join(data.split()):
            self.out.append(("text", " ".join(data.split())))


def tokens(html: str) -> list[tuple[str, ...]]:
    parser = Tokens()
    parser.feed(html)
    return parser.out


def both(app: Flask, ours: str, theirs: str, data: dict[str, str], errors: bool) -> tuple:
    with app.test_request_context(method="POST", data=data):
        form = Sample()
        if errors:
            for field in form:
                field.errors = [f"Fix {field.label.text} & try again"]
        context = {"f": form, "e": lambda f: {"text": f.errors[0]} if f.errors else None}
        mine = render_template_string(
            '{% from "macros/forms.html" import text_field, textarea_field, select_field, '
            "checkbox_field, radio_field, date_field, submit %}" + ours,
            **context,
        )
        nhsuk = render_template_string(NHSUK + theirs, **context)
    return tokens(mine), tokens(nhsuk)


CASES = {
    "text": (
        '{{ text_field(f.name, hint="As on your badge", autocomplete="name", '
        'classes="nhsuk-input--width-20") }}',
        '{{ nhsukInput({"label": {"text": f.name.label.text}, "hint": {"text": "As on your '
        'badge"}, "id": f.name.id, "name": f.name.name, "value": f.name._value(), '
        '"autocomplete": "name", "classes": "nhsuk-input--width-20", '
        '"errorMessage": e(f.name)}) }}',
    ),
    "textarea": (
        "{{ textarea_field(f.notes, rows=3) }}",
        '{{ nhsukTextarea({"label": {"text": f.notes.label.text}, "id": f.notes.id, '
        '"name": f.notes.name, "rows": 3, "value": (f.notes.data or "")|e, '
        '"errorMessage": e(f.notes)}) }}',
    ),
    "select": (
        '{{ select_field(f.team, hint="Pick one") }}',
        "{% set items = [] %}{% for c in f.team.iter_choices() %}{% set _ = items.append("
        '{"value": c.value, "text": c.label, "selected": c.selected}) %}{% endfor %}'
        '{{ nhsukSelect({"label": {"text": f.team.label.text}, "hint": {"text": "Pick one"}, '
        '"id": f.team.id, "name": f.team.name, "items": items, "errorMessage": e(f.team)}) }}',
    ),
    "radios": (
        '{{ radio_field(f.known, hint="Ask them") }}',
        "{% set items = [] %}{% for c in f.known.iter_choices() %}{% set _ = items.append("
        '{"value": c.value, "text": c.label, "checked": c.selected}) %}{% endfor %}'
        '{{ nhsukRadios({"idPrefix": f.known.id, "name": f.known.name, "fieldset": {"legend": '
        '{"text": f.known.label.text, "size": "s"}}, "hint": {"text": "Ask them"}, '
        '"items": items, "errorMessage": e(f.known)}) }}',
    ),
    "checkbox": (
        "{{ checkbox_field(f.urgent) }}",
        '{{ nhsukCheckboxes({"idPrefix": f.urgent.id, "name": f.urgent.name, "items": '
        '[{"value": "y", "text": f.urgent.label.text, "checked": f.urgent.data, '
        '"id": f.urgent.id}], "errorMessage": e(f.urgent)}) }}',
    ),
    "date": (
        "{{ date_field(f.due) }}",
        "{% set items = [] %}{% for part, width in [('day', 2), ('month', 2), ('year', 4)] %}"
        "{% set _ = items.append({'id': f.due.part_id(part), 'name': f.due.part_name(part), "
        "'label': part|capitalize, 'value': f.due.shown()[part], 'classes': "
        "'nhsuk-input--width-' ~ width ~ (' nhsuk-input--error' if f.due.errors and part in "
        "(f.due.error_parts or [part]) else '')}) %}"
        "{% endfor %}"
        '{{ nhsukDateInput({"id": f.due.id, "fieldset": {"legend": {"text": f.due.label.text, '
        '"size": "s"}}, "hint": {"text": "For example, 15 3 2027"}, "items": items, '
        '"errorMessage": e(f.due)}) }}',
    ),
    "character count": (
        '{{ textarea_field(f.brief, hint="Say it briefly", rows=3) }}',
        '{{ nhsukCount({"label": {"text": f.brief.label.text}, "hint": {"text": "Say it '
        'briefly"}, "id": f.brief.id, "name": f.brief.name, "rows": 3, "maxlength": 200, '
        '"value": (f.brief.data or "")|e, "errorMessage": e(f.brief)}) }}',
    ),
    "button": (
        '{{ submit("Save it") }}',
        '{{ nhsukButton({"text": "Save it"}) }}',
    ),
}
FILLED = {
    "name": 'Ann "A" <b>',
    "notes": "x < y & z",
    "team": "1",
    "known": "no",
    "urgent": "y",
    "due-day": "31",
    "due-month": "2",
    "due-year": "2027",
    "brief": "Short & sweet",
}


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("data", [{}, FILLED], ids=["empty", "filled"])
def test_each_field_is_the_nhsuk_markup(app, case, data):
    ours, theirs = both(app, *CASES[case], data, errors=False)
    assert ours == theirs


@pytest.mark.parametrize("case", [c for c in CASES if c not in ("button", "checkbox")])
def test_each_field_with_an_error_is_the_nhsuk_markup(app, case):
    ours, theirs = both(app, *CASES[case], FILLED, errors=True)
    assert ours == theirs
    assert ("text", "Error:") in ours and ("text", "Fix") not in ours


def test_a_checkbox_with_an_error_says_so_and_points_to_it(app):
    ours, _ = both(app, *CASES["checkbox"], FILLED, errors=True)
    box = next(t for t in ours if t[:2] == ("<", "input"))
    assert "aria-describedby=urgent-error" in box and "checked=None" in box
    assert ("text", "Fix Urgent & try again") in ours


def test_a_date_error_marks_only_the_wrong_box_and_the_summary_links_to_it(app):
    ours, _ = both(app, *CASES["date"], FILLED, errors=True)
    boxes = {t[3]: t[2] for t in ours if t[:2] == ("<", "input")}
    assert boxes["id=due-day"].endswith("nhsuk-input--error")  # 31 February: the day
    assert not boxes["id=due-month"].endswith("error") and not boxes["id=due-year"].endswith(
        "error"
    )
    assert ("text", "Day") in ours and ("text", "For example, 15 3 2027") in ours
    with app.test_request_context(method="POST", data=FILLED):
        form = Sample()
        form.validate()
        assert form.due.errors == ["Due date must be a real date"]
        html = render_template_string(
            '{% from "macros/forms.html" import error_summary %}{{ error_summary(f) }}', f=form
        )
    assert 'href="#due-day"' in html


def test_a_secondary_button_looks_secondary(app):
    with app.test_request_context():
        html = render_template_string(
            '{% from "macros/forms.html" import submit %}{{ submit("Hand over", secondary=true) }}'
        )
    assert 'class="nhsuk-button nhsuk-button--secondary"' in html


def test_text_is_escaped_even_where_the_nhsuk_macros_would_not(app):
    """The NHS.UK templates are not autoescaped: a label or button text with "<" in it would
    become markup. Ours escapes everything it is given."""
    with app.test_request_context(method="POST", data={"notes": "</textarea><b>"}):
        form = Sample()
        form.notes.label.text = "Notes <b>bold</b>"
        html = render_template_string(
            '{% from "macros/forms.html" import textarea_field, submit %}'
            '{{ textarea_field(f.notes) }}{{ submit("<i>Save</i>") }}',
            f=form,
        )
    assert "<b>" not in html and "<i>" not in html
    assert "Notes &lt;b&gt;bold&lt;/b&gt;" in html and "&lt;/textarea&gt;&lt;b&gt;" in html


def test_hidden_fields_are_what_wtforms_writes(app):
    from mdt.core.forms import revision_field

    class WithHidden(BaseForm):
        note = TextAreaField("Note")
        revision = revision_field()

    with app.test_request_context():
        form = WithHidden(formdata=None, revision=7, prefix="a12")
        ours = render_template_string(
            '{% from "macros/forms.html" import hidden %}{{ hidden(f) }}', f=form
        )
        hidden = [f for f in form if getattr(f.widget, "input_type", None) == "hidden"]
        theirs = "".join(str(field()) for field in hidden)
    assert tokens(ours) == tokens(theirs)
    assert 'name="a12-revision" type="hidden" value="7"' in ours and "a12-csrf_token" in ours
