"""Find a slot: rank candidate series in a window by how often the team can be quorate."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta

from mdt.availability.clashes import ClashChecker
from mdt.core.calendar import bank_holiday, local_to_utc
from mdt.slots.recurrence import Frequency, Rule

STEP_MINUTES = 15
HORIZON = timedelta(days=91)  # about three months


@dataclass(frozen=True)
class Candidate:
    rule: Rule
    start_time: time
    duration_minutes: int
    occurrences: int
    quorate: int
    #: Core members free, summed over the occurrences.
    free_core: int

    @property
    def score(self) -> tuple[float, float]:
        n = max(self.occurrences, 1)
        return (self.quorate / n, self.free_core / n)


def _rules(kind: str, weekday: int, today: date) -> list[Rule]:
    if kind == "monthly":
        return [Rule(Frequency.MONTHLY, weekday, today, ordinal=o) for o in (1, 2, 3, 4, -1)]
    if kind == "fortnightly":
        # Two anchors: starting this week or the next.
        return [
            Rule(Frequency.WEEKLY, weekday, today + timedelta(weeks=w), interval=2) for w in (0, 1)
        ]
    return [Rule(Frequency.WEEKLY, weekday, today)]


def _starts(earliest: time, latest_end: time, minutes: int) -> list[time]:
    # Wall-clock arithmetic in minutes since midnight: no date, so no zone, is involved.
    first = earliest.hour * 60 + earliest.minute
    last = latest_end.hour * 60 + latest_end.minute - minutes
    return [time(m // 60, m % 60) for m in range(first, last + 1, STEP_MINUTES)]


def find_slots(
    checker: ClashChecker,
    zone: str,
    today: date,
    weekdays: list[int],
    earliest: time,
    latest_end: time,
    minutes: int,
    kind: str,
    best: int = 5,
) -> list[Candidate]:
    found = []
    until = today + HORIZON
    for weekday in weekdays:
        for rule in _rules(kind, weekday, today):
            days = [d for d in rule.dates(today, until) if not bank_holiday(d)]
            for start in _starts(earliest, latest_end, minutes):
                found.append(_score(checker, zone, rule, days, start, minutes))
    found.sort(key=lambda c: c.score, reverse=True)
    return found[:best]


def _score(
    checker: ClashChecker, zone: str, rule: Rule, days: list[date], start: time, minutes: int
) -> Candidate:
    quorate = free = 0
    for day in days:
        begins = local_to_utc(day, start, zone)
        covered, free_core = checker.quorum(begins, begins + timedelta(minutes=minutes))
        quorate += covered
        free += free_core
    return Candidate(rule, start, minutes, len(days), quorate, free)
