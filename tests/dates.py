"""Dates in the NHS.UK date input (mdt/core/date_input.py), for tests: the three boxes a
browser posts, and what a page shows in them."""

from __future__ import annotations

import re

PARTS = ("day", "month", "year")


def boxes(name: str, day: str, month: str, year: str) -> dict[str, str]:
    """The date as typed in the boxes of the field `name`."""
    return {f"{name}-day": day, f"{name}-month": month, f"{name}-year": year}


def iso_boxes(name: str, iso: str) -> dict[str, str]:
    year, month, day = iso.split("-")
    return boxes(name, day, month, year)


def shown(page: str, name: str) -> tuple[str, str, str]:
    """What the page shows in the day, month and year boxes of `name`."""
    values = []
    for part in PARTS:
        found = re.search(rf'name="{re.escape(name)}-{part}" type="text" value="([^"]*)"', page)
        assert found, f"no {part} box for {name}"
        values.append(found.group(1))
    return values[0], values[1], values[2]


def shows_date(page: str, name: str, iso: str) -> bool:
    """Whether the boxes of `name` show the ISO date `iso` (as typed, 01 or 1 alike)."""
    year, month, day = iso.split("-")

    def same(a: str, b: str) -> bool:
        return a == b or (a.isdigit() and b.isdigit() and int(a) == int(b))

    return all(map(same, shown(page, name), (day, month, year)))
