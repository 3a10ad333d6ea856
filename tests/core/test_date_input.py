"""The NHS.UK date input (mdt/core/date_input.py): a date typed as day, month and year, with
the NHS.UK messages, the wrong box named, and what was typed kept (issue 22, item 6)."""

from __future__ import annotations

from datetime import date

import pytest
from werkzeug.datastructures import MultiDict

from mdt.core.fields import BIRTH, RECORDED, date_field
from mdt.core.forms import BaseForm


class Born(BaseForm):
    class Meta:
        csrf = False

    date_of_birth = date_field("Date of birth", BIRTH)
    end_date = date_field("End date (optional)", RECORDED, required=False)


def _posted(app, **data: str) -> Born:  # type: ignore[no-untyped-def]
    with app.test_request_context(method="POST"):
        form = Born(formdata=MultiDict(data))
        form.validate()
    return form


def _born(app, day: str, month: str, year: str) -> Born:  # type: ignore[no-untyped-def]
    boxes = {"date_of_birth-day": day, "date_of_birth-month": month, "date_of_birth-year": year}
    return _posted(app, **boxes)


def test_a_date_typed_in_three_boxes_is_read(app):
    form = _born(app, "15", "03", "1950")
    assert form.date_of_birth.data == date(1950, 3, 15) and not form.errors
    assert form.date_of_birth.shown() == {"day": "15", "month": "3", "year": "1950"}


@pytest.mark.parametrize(
    ("day", "month", "year", "message", "marked"),
    [
        ("15", "", "1950", "Date of birth must include a month", ("month",)),
        ("", "", "1950", "Date of birth must include a day and month", ("day", "month")),
        ("15", "3", " ", "Date of birth must include a year", ("year",)),
        ("31", "2", "1950", "Date of birth must be a real date", ("day",)),
        ("0", "2", "1950", "Date of birth must be a real date", ("day",)),
        ("12", "13", "1950", "Date of birth must be a real date", ("month",)),
        ("1st", "March", "1950", "Date of birth must be a real date", ("day", "month")),
        ("123", "3", "1950", "Date of birth must be a real date", ("day",)),
        ("15", "3", "50", "Date of birth must include a year with 4 numbers", ("year",)),
        ("1", "1", "0000", "Date of birth must be a real date", ("year",)),
        ("1", "1", "１９５０", "Date of birth must be a real date", ("year",)),  # full width
    ],
)
def test_a_date_wrong_in_a_box_says_what_and_where_and_keeps_it(
    app, day, month, year, message, marked
):
    field = _born(app, day, month, year).date_of_birth
    assert field.errors == [message]
    assert field.error_parts == marked
    assert field.error_target == f"date_of_birth-{marked[0]}"
    assert field.shown() == {"day": day, "month": month, "year": year}  # as typed
    assert field.data is None


def test_the_window_still_applies_to_a_date_typed_in_boxes(app):
    field = _born(app, "1", "6", "1850").date_of_birth
    assert field.errors == ["The date of birth must be on or after 1 January 1900"]
    assert field.shown() == {"day": "1", "month": "6", "year": "1850"}


def test_nothing_typed_is_asked_for_when_required_and_left_alone_when_not(app):
    form = _posted(
        app,
        **{"date_of_birth-day": "", "date_of_birth-month": "", "date_of_birth-year": ""},
        **{"end_date-day": " ", "end_date-month": "", "end_date-year": ""},
    )
    assert form.date_of_birth.errors == ["Enter the date of birth"]
    assert form.end_date.errors == [] and form.end_date.data is None


def test_an_optional_date_half_typed_is_still_an_error(app):
    form = _posted(app, **{"end_date-day": "3", "end_date-month": "", "end_date-year": "2027"})
    assert form.end_date.errors == ["End date must include a month"]


def test_control_characters_in_a_box_are_refused_with_the_usual_message(app):
    field = _born(app, "1\x00", "3", "1950").date_of_birth
    assert any("control characters" in error for error in field.errors)


@pytest.mark.parametrize(
    ("posted", "expected", "error"),
    [
        ("1950-03-15", date(1950, 3, 15), None),
        ("2026-02-30", None, "Date of birth must be a real date"),
        ("15/03/1950", None, "Date of birth must be a real date"),
        ("", None, "Enter the date of birth"),
    ],
)
def test_an_iso_date_in_the_single_field_is_read_for_links_and_scripts(
    app, posted, expected, error
):
    field = _posted(app, date_of_birth=posted).date_of_birth
    assert field.data == expected
    assert field.errors == ([error] if error else [])


def test_the_three_boxes_win_over_an_iso_date(app):
    form = _posted(
        app,
        date_of_birth="1950-03-15",
        **{"date_of_birth-day": "2", "date_of_birth-month": "4", "date_of_birth-year": "1960"},
    )
    assert form.date_of_birth.data == date(1960, 4, 2)
