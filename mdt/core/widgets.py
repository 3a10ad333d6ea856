"""NHS.UK form markup for WTForms fields, written out directly.

The NHS.UK Jinja macros take a dictionary of every option the design system has and run
several nested macros per field: about 1 ms a field, which made a page with a form per row
cost tens of milliseconds. These functions write the same markup (form group, label, hint,
error message with its visually hidden "Error:", aria-describedby, fieldset and legend for
radios, conditional reveals) for the options this service uses. ``templates/macros/
forms.html`` calls them, and the tests compare them with the NHS.UK macros' output.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from markupsafe import Markup, escape


def _attrs(**values: Any) -> str:
    """` name="value"` for each value that is not None (a trailing _ is dropped, _ is -)."""
    parts = []
    for name, value in values.items():
        if value is None or value is False:
            continue
        name = name.rstrip("_").replace("_", "-")
        parts.append(f" {name}" if value is True else f' {name}="{escape(value)}"')
    return "".join(parts)


def _group(inner: str, error: str | None) -> Markup:
    classes = "nhsuk-form-group nhsuk-form-group--error" if error else "nhsuk-form-group"
    return Markup(f'<div class="{classes}">\n{inner}\n</div>')


def _hint(field_id: str, hint: str | None) -> tuple[str, list[str]]:
    if not hint:
        return "", []
    return f'<div class="nhsuk-hint" id="{field_id}-hint">{escape(hint)}</div>', [
        f"{field_id}-hint"
    ]


def _error(field_id: str, error: str | None) -> tuple[str, list[str]]:
    if not error:
        return "", []
    html = (
        f'<span class="nhsuk-error-message" id="{field_id}-error">'
        f'<span class="nhsuk-u-visually-hidden">Error: </span>{escape(error)}</span>'
    )
    return html, [f"{field_id}-error"]


def _first_error(field: Any) -> str | None:
    return field.errors[0] if field.errors else None


def _label(field: Any) -> str:
    return f'<label class="nhsuk-label" for="{field.id}">{escape(field.label.text)}</label>'


def text_input(
    field: Any,
    hint: str | None = None,
    type: str = "text",
    autocomplete: str | None = None,
    classes: str | None = None,
    value: Any = None,
) -> Markup:
    error = _first_error(field)
    hint_html, described = _hint(field.id, hint)
    error_html, error_ids = _error(field.id, error)
    if value is None:
        value = "" if type == "password" else field._value()
    css = " ".join(
        c for c in ("nhsuk-input", "nhsuk-input--error" if error else "", classes or "") if c
    )
    maxlength = field.flags.maxlength if getattr(field.flags, "maxlength", None) else None
    tag = "<input" + _attrs(
        class_=css,
        id=field.id,
        name=field.name,
        type=type,
        value=value,
        aria_describedby=" ".join(described + error_ids) or None,
        autocomplete=autocomplete,
        maxlength=maxlength,
    )
    return _group(_label(field) + hint_html + error_html + tag + ">", error)


def textarea(field: Any, hint: str | None = None, rows: int = 4) -> Markup:
    """A textarea; one with a limit (a Length validator) is the NHS.UK character count: the
    limit said under it, which the NHS.UK script turns into a live count."""
    limit = getattr(field.flags, "maxlength", None)
    error = _first_error(field)
    hint_html, described = _hint(field.id, hint)
    error_html, error_ids = _error(field.id, error)
    css = "nhsuk-textarea nhsuk-textarea--error" if error else "nhsuk-textarea"
    if limit:
        described = [f"{field.id}-info", *described]
        css += " nhsuk-js-character-count"
    tag = "<textarea" + _attrs(
        class_=css,
        id=field.id,
        name=field.name,
        rows=rows,
        aria_describedby=" ".join(described + error_ids) or None,
    )
    body = f"{tag}>{escape(field.data or '')}</textarea>"
    inner = _label(field) + hint_html + error_html + body
    if not limit:
        return _group(inner, error)
    count = (
        f'<div class="nhsuk-hint nhsuk-character-count__message" id="{field.id}-info">'
        f"You can enter up to {int(limit)} characters</div>"
    )
    group = "nhsuk-form-group nhsuk-form-group--error" if error else "nhsuk-form-group"
    return Markup(
        f'<div class="{group} nhsuk-character-count" data-module="nhsuk-character-count" '
        f'data-maxlength="{int(limit)}">\n{inner}{count}\n</div>'
    )


#: The NHS.UK date input's hint.
DATE_EXAMPLE = "For example, 15 3 2027"
_DATE_WIDTHS = {"day": 2, "month": 2, "year": 4}


def date_input(field: Any, hint: str | None = None) -> Markup:
    """An NhsDateField as the NHS.UK date input: a fieldset (the label is its legend) of
    day, month and year boxes; an error marks the boxes it is about (field.error_parts)."""
    error = _first_error(field)
    hint_html, described = _hint(field.id, hint or DATE_EXAMPLE)
    error_html, error_ids = _error(field.id, error)
    shown = field.shown()
    wrong = set(field.error_parts or ("day", "month", "year")) if error else set()
    items = "".join(
        '<div class="nhsuk-date-input__item"><div class="nhsuk-form-group">'
        f'<label class="nhsuk-label nhsuk-date-input__label" for="{field.part_id(part)}">'
        f"{part.capitalize()}</label><input"
        + _attrs(
            class_=f"nhsuk-input nhsuk-date-input__input nhsuk-input--width-{width}"
            + (" nhsuk-input--error" if part in wrong else ""),
            id=field.part_id(part),
            name=field.part_name(part),
            type="text",
            value=shown[part],
            inputmode="numeric",
        )
        + "></div></div>"
        for part, width in _DATE_WIDTHS.items()
    )
    fieldset = "<fieldset" + _attrs(
        class_="nhsuk-fieldset", role="group", aria_describedby=" ".join(described + error_ids)
    )
    inner = (
        f'{fieldset}><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">'
        f"{escape(field.label.text)}</legend>{hint_html}{error_html}"
        f'<div class="nhsuk-date-input" id="{field.id}">{items}</div></fieldset>'
    )
    return _group(inner, error)


def select(field: Any, hint: str | None = None) -> Markup:
    error = _first_error(field)
    hint_html, described = _hint(field.id, hint)
    error_html, error_ids = _error(field.id, error)
    css = "nhsuk-select nhsuk-select--error" if error else "nhsuk-select"
    options = "".join(_option(choice) for choice in field.iter_choices())
    tag = "<select" + _attrs(
        class_=css,
        id=field.id,
        name=field.name,
        aria_describedby=" ".join(described + error_ids) or None,
    )
    return _group(f"{_label(field)}{hint_html}{error_html}{tag}>{options}</select>", error)


def _option(choice: Any) -> str:
    """One <option>, written directly: a select of a region's people has a hundred or more,
    and _attrs's keyword handling cost more than the rest of the field."""
    value = (
        "" if choice.value is None or choice.value is False else f' value="{escape(choice.value)}"'
    )
    selected = " selected" if choice.selected else ""
    return f"<option{value}{selected}>{escape(choice.label)}</option>"


def checkbox(field: Any, hint: str | None = None) -> Markup:
    """One checkbox (a BooleanField), its label beside it."""
    error = _first_error(field)
    error_html, error_ids = _error(field.id, error)
    item_hint = ""
    described = list(error_ids)
    if hint:
        item_hint = (
            f'<div class="nhsuk-hint nhsuk-checkboxes__hint" id="{field.id}-item-hint">'
            f"{escape(hint)}</div>"
        )
        described.append(f"{field.id}-item-hint")
    box = "<input" + _attrs(
        class_="nhsuk-checkboxes__input",
        id=field.id,
        name=field.name,
        type="checkbox",
        value="y",
        checked=bool(field.data),
        aria_describedby=" ".join(described) or None,
    )
    label = (
        f'<label class="nhsuk-label nhsuk-checkboxes__label" for="{field.id}">'
        f"{escape(field.label.text)}</label>"
    )
    inner = (
        f'{error_html}<div class="nhsuk-checkboxes" data-module="nhsuk-checkboxes">'
        f'<div class="nhsuk-checkboxes__item">{box}>{label}{item_hint}</div></div>'
    )
    return _group(inner, error)


def radios(
    field: Any,
    hint: str | None = None,
    inline: bool = False,
    conditional: Mapping[str, str] | None = None,
) -> Markup:
    """A RadioField as a fieldset: its label is the legend; the first item's id is the
    field's (the error summary links to it), the next ones -2, -3..."""
    error = _first_error(field)
    hint_html, described = _hint(field.id, hint)
    error_html, error_ids = _error(field.id, error)
    conditional = conditional or {}
    items = []
    for index, choice in enumerate(field.iter_choices(), start=1):
        item_id = field.id if index == 1 else f"{field.id}-{index}"
        reveal = conditional.get(choice.value)
        tag = "<input" + _attrs(
            class_="nhsuk-radios__input",
            id=item_id,
            name=field.name,
            type="radio",
            value=choice.value,
            checked=bool(choice.selected),
            data_aria_controls=f"conditional-{item_id}" if reveal else None,
        )
        items.append(
            f'<div class="nhsuk-radios__item">{tag}>'
            f'<label class="nhsuk-label nhsuk-radios__label" for="{item_id}">'
            f"{escape(choice.label)}</label></div>"
        )
        if reveal:
            hidden = "" if choice.selected else " nhsuk-radios__conditional--hidden"
            items.append(
                f'<div class="nhsuk-radios__conditional{hidden}" id="conditional-{item_id}">'
                f"{escape(reveal)}</div>"
            )
    css = "nhsuk-radios nhsuk-radios--inline" if inline else "nhsuk-radios"
    fieldset = "<fieldset" + _attrs(
        class_="nhsuk-fieldset", aria_describedby=" ".join(described + error_ids) or None
    )
    inner = (
        f'{fieldset}><legend class="nhsuk-fieldset__legend nhsuk-fieldset__legend--s">'
        f"{escape(field.label.text)}</legend>{hint_html}{error_html}"
        f'<div class="{css}" data-module="nhsuk-radios">{"".join(items)}</div></fieldset>'
    )
    return _group(inner, error)


def button(text: str, secondary: bool = False) -> Markup:
    css = "nhsuk-button nhsuk-button--secondary" if secondary else "nhsuk-button"
    return Markup(
        f'<button class="{css}" data-module="nhsuk-button" type="submit">{escape(text)}</button>'
    )


def hidden(form: Any) -> Markup:
    """The form's hidden fields (its CSRF token, revisions) as WTForms writes them."""
    return Markup(
        "".join(
            "<input"
            + _attrs(id=field.id, name=field.name, type="hidden", value=field._value())
            + ">"
            for field in form
            if field.type in ("CSRFTokenField", "HiddenField")
            or getattr(field.widget, "input_type", None) == "hidden"
        )
    )


def options(pairs: Iterable[tuple[object, str]], selected: object = None) -> Markup:
    """The <option>s of a plain select (a filter, not a form field) from (value, label)
    pairs, the one whose value is `selected` selected: written directly, since a filter of
    a region team's owners has over a hundred."""
    chosen = None if selected is None else str(selected)
    return Markup(
        "".join(
            f'<option value="{escape(value)}"{" selected" if str(value) == chosen else ""}>'
            f"{escape(label)}</option>"
            for value, label in pairs
        )
    )


FIELDS = {
    "field_hidden": hidden,
    "field_text": text_input,
    "field_textarea": textarea,
    "field_date": date_input,
    "field_select": select,
    "field_checkbox": checkbox,
    "field_radios": radios,
    "field_button": button,
    "options": options,
}
