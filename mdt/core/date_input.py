"""The NHS.UK date input: a date typed as day, month and year in three boxes.

A browser's own date picker shows and reads dates in the computer's locale (12/01/2027 is
January on one machine and December on the next), and cannot say which part is wrong. Three
boxes named `<name>-day`, `<name>-month` and `<name>-year` can: the field keeps what was
typed, says what is missing or impossible in the NHS.UK words ("Date of birth must include a
month"), and names the parts to mark in red.

An ISO date (2027-01-12) posted in the single field `<name>` is read too, when none of the
three parts is posted: links and scripts (and tests) give a date that way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from wtforms import Field
from wtforms.utils import unset_value

PARTS = ("day", "month", "year")
_FIGURES = re.compile(r"[0-9]+")
#: A year of two figures (27 for 2027) is the commonest slip: it is said so, not read as 27.
_YEAR = re.compile(r"[0-9]{4}")
_ISO = re.compile(r"([0-9]+)-([0-9]+)-([0-9]+)")


class DateProblem(ValueError):
    """What is wrong with the typed date, and which of its parts to mark."""

    def __init__(self, message: str, parts: tuple[str, ...] = PARTS) -> None:
        super().__init__(message)
        self.parts = parts


def parse_parts(typed: Mapping[str, str], subject: str) -> date | None:
    """The date typed as day, month and year, None when nothing is typed; DateProblem says
    what is wrong (`subject` names the date: "Date of birth")."""
    parts = {p: (typed.get(p) or "").strip() for p in PARTS}
    if not any(parts.values()):
        return None
    missing = tuple(p for p in PARTS if not parts[p])
    if missing:
        raise DateProblem(f"{subject} must include a {' and '.join(missing)}", missing)
    not_figures = tuple(p for p in PARTS if not _FIGURES.fullmatch(parts[p]))
    too_long = tuple(p for p in ("day", "month") if len(parts[p]) > 2)
    if not_figures or too_long:
        raise DateProblem(f"{subject} must be a real date", not_figures or too_long)
    if not _YEAR.fullmatch(parts["year"]):
        raise DateProblem(f"{subject} must include a year with 4 numbers", ("year",))
    day, month, year = (int(parts[p]) for p in PARTS)
    if not 1 <= month <= 12:
        raise DateProblem(f"{subject} must be a real date", ("month",))
    try:
        return date(year, month, day)
    except ValueError:  # 31 February, day 0, year 0000
        wrong = ("year",) if year < 1 else ("day",)
        raise DateProblem(f"{subject} must be a real date", wrong) from None


def _parts_of_iso(value: str) -> dict[str, str]:
    found = _ISO.fullmatch(value.strip())
    if found is None:
        return {}
    year, month, day = found.groups()
    return {"day": day, "month": month, "year": year}


def _render(field: NhsDateField, **_kwargs: Any) -> Any:
    from mdt.core.widgets import date_input

    return date_input(field)


class NhsDateField(Field):
    """A date in three boxes (see the module). `subject` names the date at the start of a
    sentence in its messages. `typed` holds what was typed in each part (shown back on an
    error), `error_parts` the parts an error is about."""

    widget = staticmethod(_render)

    def __init__(
        self,
        label: str | None = None,
        validators: Any = None,
        *,
        subject: str = "The date",
        **kw: Any,
    ) -> None:
        super().__init__(label, validators, **kw)
        self.subject = subject
        self.typed: dict[str, str] | None = None
        self.error_parts: tuple[str, ...] = ()

    def process(self, formdata: Any, data: Any = unset_value, extra_filters: Any = None) -> None:
        self.typed, self.error_parts = None, ()
        if formdata is not None:
            posted = {p: formdata.get(self.part_name(p)) for p in PARTS}
            if any(value is not None for value in posted.values()):
                self.typed = {p: value or "" for p, value in posted.items()}
        super().process(formdata, data, extra_filters)

    def process_formdata(self, valuelist: list[Any]) -> None:
        if self.typed is None:
            if not valuelist or not str(valuelist[0]).strip():
                return  # nothing typed: the data stays as it was (None for a new form)
            self.typed = _parts_of_iso(str(valuelist[0]))
            if not self.typed:
                self.error_parts = PARTS
                raise ValueError(f"{self.subject} must be a real date")
        # What the required/optional checks and the control-character refusal look at.
        self.raw_data = ["".join(self.typed.values())]
        self.data = None
        try:
            self.data = parse_parts(self.typed, self.subject)
        except DateProblem as problem:
            self.error_parts = problem.parts
            raise

    def part_name(self, part: str) -> str:
        return f"{self.name}-{part}"

    def part_id(self, part: str) -> str:
        return f"{self.id}-{part}"

    def shown(self) -> dict[str, str]:
        """The values in the three boxes: what was typed while it is wrong, else the date."""
        if isinstance(self.data, date) and not self.errors:
            return {
                "day": str(self.data.day),
                "month": str(self.data.month),
                "year": str(self.data.year),
            }
        return {p: (self.typed or {}).get(p, "") for p in PARTS}

    @property
    def error_target(self) -> str:
        """The box an error summary's link goes to: the first wrong part."""
        return self.part_id(self.error_parts[0] if self.error_parts else "day")

    def _value(self) -> str:
        return self.data.isoformat() if isinstance(self.data, date) else ""
