"""Find a slot: score candidate series in a window by how often the team can be quorate.

`proposals.py` turns the ranked candidates into a few distinct proposals, each with its
variants and the reasons for its place.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from mdt.availability.clashes import ClashChecker
from mdt.core.days import bank_holiday, local_to_utc
from mdt.core.recurrence import Frequency, Rule
from mdt.slots.proposals import Proposal, propose

if TYPE_CHECKING:
    from mdt.slots.models import SlotSeries

STEP_MINUTES = 15
HORIZON = timedelta(days=91)  # about three months


@dataclass(frozen=True, order=True)
class Score:
    """What a candidate is ranked by, compared part by part (the first difference decides)."""

    #: Share of its meetings at which every core discipline has a free member or deputy.
    quorate: float
    #: Core members free, on average per meeting.
    free_core: float
    #: Share of its meetings at which every member of the team (any role) is free.
    everyone_free: float
    #: Share of its meetings that fall inside the team's existing protected time.
    protected: float


@dataclass(frozen=True)
class Protected:
    """One of the team's protected slot series, as candidates are compared with it."""

    title: str
    rule: Rule
    start_time: time
    duration_minutes: int
    zone: str

    @classmethod
    def of(cls, series: SlotSeries) -> Protected:
        return cls(
            series.title, series.rule, series.start_time, series.duration_minutes, series.time_zone
        )

    def contains(self, day: date, begins: datetime, ends: datetime) -> bool:
        if not self.rule.dates(day, day):
            return False
        starts = local_to_utc(day, self.start_time, self.zone)
        return starts <= begins and ends <= starts + timedelta(minutes=self.duration_minutes)


@dataclass(frozen=True)
class Setting:
    """What every candidate is checked against: the team's people and its protected time."""

    checker: ClashChecker
    zone: str
    protected: tuple[Protected, ...] = ()

    def interval(self, day: date, start: time, minutes: int) -> tuple[datetime, datetime]:
        begins = local_to_utc(day, start, self.zone)
        return begins, begins + timedelta(minutes=minutes)

    def inside(self, day: date, begins: datetime, ends: datetime) -> list[str]:
        """The titles of the protected series that [begins, ends) on `day` falls inside."""
        return [p.title for p in self.protected if p.contains(day, begins, ends)]


@dataclass(frozen=True)
class Candidate:
    rule: Rule
    start_time: time
    duration_minutes: int
    #: The local dates it would meet on in the window, bank holidays skipped.
    days: tuple[date, ...]
    quorate: int
    #: Core members free, summed over the meetings.
    free_core: int
    #: Meetings at which every member is free.
    everyone_free: int
    #: Meetings inside the team's protected time.
    protected: int

    @property
    def occurrences(self) -> int:
        return len(self.days)

    @property
    def start_minute(self) -> int:
        return self.start_time.hour * 60 + self.start_time.minute

    @property
    def end_time(self) -> time:
        end = (self.start_minute + self.duration_minutes) % (24 * 60)
        return time(end // 60, end % 60)

    def series_fields(self) -> dict[str, object]:
        """The fields of the series form it fills in ("Use this")."""
        return {
            "frequency": self.rule.frequency.value,
            "interval": self.rule.interval,
            "weekday": self.rule.weekday,
            "ordinal": self.rule.ordinal or 1,
            "start_date": self.rule.start_date.isoformat(),
            "start_time": self.start_time.strftime("%H:%M"),
            "duration_minutes": self.duration_minutes,
        }

    @property
    def score(self) -> Score:
        n = max(self.occurrences, 1)
        return Score(
            self.quorate / n, self.free_core / n, self.everyone_free / n, self.protected / n
        )


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
    protected: Iterable[SlotSeries] = (),
) -> list[Proposal]:
    """The `best` distinct proposals, best first, each with its variants and reasons."""
    setting = Setting(checker, zone, tuple(Protected.of(s) for s in protected))
    ranked = rank(setting, today, weekdays, _starts(earliest, latest_end, minutes), minutes, kind)
    return propose(ranked, setting, best)


def rank(
    setting: Setting, today: date, weekdays: list[int], starts: list[time], minutes: int, kind: str
) -> list[Candidate]:
    """Every candidate, best first; equal scores keep the order they were generated in
    (weekday, rule, start time), so the ranking is the same on every run."""
    found = []
    until = today + HORIZON
    for weekday in weekdays:
        for rule in _rules(kind, weekday, today):
            days = tuple(d for d in rule.dates(today, until) if not bank_holiday(d))
            for start in starts:
                found.append(_score(setting, rule, days, start, minutes))
    found.sort(key=lambda c: c.score, reverse=True)
    return found


def _score(
    setting: Setting, rule: Rule, days: tuple[date, ...], start: time, minutes: int
) -> Candidate:
    checker = setting.checker
    quorate = free = everyone = inside = 0
    for day in days:
        begins, ends = setting.interval(day, start, minutes)
        busy = checker.busy_people(begins, ends)
        covered, free_core = checker.quorum_of(busy)
        quorate += covered
        free += free_core
        everyone += not any(m.user_id in busy for m in checker.members)
        inside += bool(setting.inside(day, begins, ends))
    return Candidate(rule, start, minutes, days, quorate, free, everyone, inside)
