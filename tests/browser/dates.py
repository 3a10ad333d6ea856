"""Typing a date in the NHS.UK date input (day, month and year boxes in a fieldset whose
legend names the date), as a person does in the browser tests."""

from __future__ import annotations

from datetime import date

from playwright.sync_api import Locator, Page, expect


def date_group(scope: Page | Locator, legend: str) -> Locator:
    return scope.get_by_role("group", name=legend, exact=True)


def fill_date(scope: Page | Locator, legend: str, day: date | str) -> None:
    """Types `day` (a date, or ISO text) in the boxes of the date input named `legend`."""
    year, month, dom = (day.isoformat() if isinstance(day, date) else day).split("-")
    group = date_group(scope, legend)
    group.get_by_label("Day", exact=True).fill(str(int(dom)))
    group.get_by_label("Month", exact=True).fill(str(int(month)))
    group.get_by_label("Year", exact=True).fill(year)


def expect_date(scope: Page | Locator, legend: str, day: str, month: str, year: str) -> None:
    """The boxes show this, as typed."""
    group = date_group(scope, legend)
    expect(group.get_by_label("Day", exact=True)).to_have_value(day)
    expect(group.get_by_label("Month", exact=True)).to_have_value(month)
    expect(group.get_by_label("Year", exact=True)).to_have_value(year)
