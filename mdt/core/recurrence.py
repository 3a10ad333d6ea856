"""Recurrence rules shared by protected slots and members' commitments.

Dates are expanded in local terms (a series is "every other Tuesday at 12:30 in London"), so
times stay put across clock changes; the caller turns each date into UTC with the zone.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa


class Frequency(enum.StrEnum):
    WEEKLY = "weekly"  # every `interval` weeks, anchored to the start date's week
    MONTHLY = "monthly"  # the `ordinal` (1-4, or -1 for last) `weekday` of each month

    @property
    def label(self) -> str:
        return {"weekly": "Every week or every few weeks", "monthly": "Monthly"}[self.value]


WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}

#: How a frequency is stored: its value, in a short text column (no database enum type).
FREQUENCY_TYPE = sa.Enum(
    Frequency, native_enum=False, length=10, values_callable=lambda e: [m.value for m in e]
)


@dataclass(frozen=True)
class Rule:
    frequency: Frequency
    weekday: int  # 0 = Monday
    start_date: date
    interval: int = 1
    ordinal: int | None = None
    end_date: date | None = None

    def __post_init__(self) -> None:
        # Accept the plain string a form gives as well as the enum.
        object.__setattr__(self, "frequency", Frequency(self.frequency))

    def describe(self) -> str:
        day = WEEKDAYS[self.weekday]
        if self.frequency is Frequency.MONTHLY:
            return f"The {ORDINALS[self.ordinal or 1]} {day} of each month"
        if self.interval == 1:
            return f"Every {day}"
        if self.interval == 2:
            return f"Every other {day}"
        return f"Every {self.interval} weeks on {day}"

    def dates(self, start: date, end: date) -> list[date]:
        """Every date of the rule from `start` to `end` inclusive."""
        start = max(start, self.start_date)
        if self.end_date is not None:
            end = min(end, self.end_date)
        if start > end:
            return []
        if self.frequency is Frequency.MONTHLY:
            return _monthly(self, start, end)
        return _weekly(self, start, end)


def _weekly(rule: Rule, start: date, end: date) -> list[date]:
    # The first occurrence is the rule's weekday on or after its start date; every
    # `interval` weeks after that, so "every other Tuesday" never drifts.
    first = rule.start_date + timedelta(days=(rule.weekday - rule.start_date.weekday()) % 7)
    step = timedelta(weeks=rule.interval)
    if first < start:
        periods = -(-(start - first).days // step.days)
        first += step * periods
    out = []
    day = first
    while day <= end:
        out.append(day)
        day += step
    return out


def nth_weekday(year: int, month: int, weekday: int, ordinal: int) -> date:
    if ordinal == -1:
        next_month = date(year + month // 12, month % 12 + 1, 1)
        last = next_month - timedelta(days=1)
        return last - timedelta(days=(last.weekday() - weekday) % 7)
    first = date(year, month, 1)
    return first + timedelta(days=(weekday - first.weekday()) % 7 + 7 * (ordinal - 1))


def _monthly(rule: Rule, start: date, end: date) -> list[date]:
    out = []
    year, month = start.year, start.month
    while date(year, month, 1) <= end:
        day = nth_weekday(year, month, rule.weekday, rule.ordinal or 1)
        if start <= day <= end:
            out.append(day)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out
