"""How well a team works, computed in Python from the rows of `queries.load`.

Definitions (shown on the report too):
- A meeting **counts** when it was held (closed by the chair), or when it has ended without
  being closed but has attendance recorded. Cancelled meetings never count.
- **Attendance** of a person: counted meetings they were invited to in their own right with
  attendance recorded; attended in person or remotely. A cover's attendance counts for the
  discipline, never for the member they covered.
- **Attendance by discipline**: counted meetings where at least one person counting for quorum
  in that discipline (member or cover) attended, of those where the discipline was expected.
- **Preparation on time**: requests whose deadline fell in the period and has passed, completed
  by their deadline.
- **Actions**: those created in the period; on time = done by the due date (local day), of
  those done or already past their due date while open; cancelled ones are left out.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from functools import cached_property
from statistics import median

import sqlalchemy as sa

from mdt.actions.models import ActionStatus
from mdt.core.days import end_of_day, local_to_utc, next_working_day, to_local
from mdt.meetings.models import Attendance, MeetingStatus
from mdt.reports.queries import Rows

ATTENDED = (Attendance.PRESENT, Attendance.REMOTE)


@dataclass(frozen=True)
class Ratio:
    count: int = 0
    out_of: int = 0

    @property
    def percent(self) -> float | None:
        return 100 * self.count / self.out_of if self.out_of else None

    @property
    def below_two_thirds(self) -> bool:
        """The MDT standard: at least 2/3 (compared in whole numbers: no rounding)."""
        return bool(self.out_of) and self.count * 3 < self.out_of * 2

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.count + other.count, self.out_of + other.out_of)


def tally(results: Iterable[bool]) -> Ratio:
    results = list(results)
    return Ratio(sum(results), len(results))


@dataclass(frozen=True)
class Period:
    first: date
    last: date
    zone: str

    def holds(self, moment: datetime) -> bool:
        starts = self._month_starts
        return starts[0] <= moment < starts[-1]

    def month_of(self, moment: datetime) -> tuple[int, int]:
        if not self.holds(moment):
            local = to_local(moment, self.zone)
            return local.year, local.month
        return self._months[bisect_right(self._month_starts, moment) - 1]

    @cached_property
    def _months(self) -> list[tuple[int, int]]:
        return self.months()

    @cached_property
    def _month_starts(self) -> list[datetime]:
        """The UTC instants the period's months begin (its first day for the first) and the
        one after its last day: holds() and month_of() compare, a few hundred rows a report,
        instead of converting each moment to local time."""
        firsts = [max(self.first, date(year, month, 1)) for year, month in self.months()]
        after = self.last + timedelta(days=1)
        return [local_to_utc(day, time(0), self.zone) for day in [*firsts, after]]

    def months(self) -> list[tuple[int, int]]:
        out, year, month = [], self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            out.append((year, month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return out


def utc_window(first: date, last: date) -> tuple[datetime, datetime]:
    """A UTC window holding the period in any time zone (a day spare at each end)."""
    return (
        local_to_utc(first - timedelta(days=1), time(0), "UTC"),
        local_to_utc(last + timedelta(days=2), time(0), "UTC"),
    )


@dataclass
class Person:
    user_id: int
    #: Counts for quorum (a core member or the chair) at any counted meeting.
    core: bool = False
    attended: Ratio = Ratio()
    #: Counted meetings where someone covered for them and attended.
    covered: int = 0


@dataclass
class Month:
    year: int
    month: int
    meetings: int = 0
    attendance: Ratio = Ratio()
    prep: Ratio = Ratio()

    @property
    def label(self) -> str:
        return date(self.year, self.month, 1).strftime("%b %Y")


@dataclass
class Actions:
    created: int = 0
    done: int = 0
    cancelled: int = 0
    on_time: Ratio = Ratio()
    median_days: float | None = None
    overdue_now: int = 0


@dataclass
class Figures:
    """Every figure of one team's report."""

    period: Period
    meetings: int = 0
    people: list[Person] = field(default_factory=list)
    disciplines: dict[str, Ratio] = field(default_factory=dict)
    #: Core members' own attendance, all together (the headline).
    core_attendance: Ratio = Ratio()
    prep: Ratio = Ratio()
    prep_by_discipline: dict[str, Ratio] = field(default_factory=dict)
    prep_by_person: dict[int, Ratio] = field(default_factory=dict)
    discussed: int = 0
    deferred: int = 0
    rolled_forward: int = 0
    actions: Actions = field(default_factory=Actions)
    minutes_on_time: Ratio = Ratio()
    protected: Ratio = Ratio()
    months: list[Month] = field(default_factory=list)

    @property
    def disciplines_below(self) -> list[str]:
        return [d for d, ratio in self.disciplines.items() if ratio.below_two_thirds]

    def user_ids(self) -> set[int]:
        return {p.user_id for p in self.people} | set(self.prep_by_person)


def by_team(rows: Rows) -> dict[int, Rows]:
    """Split rows loaded for several teams into one set per team."""
    team_of = {m.id: m.team_id for m in rows.meetings}
    split: dict[int, Rows] = defaultdict(lambda: Rows([], [], [], []))
    for m in rows.meetings:
        split[m.team_id].meetings.append(m)  # type: ignore[attr-defined]
    for i in rows.invitations:
        split[team_of[i.meeting_id]].invitations.append(i)  # type: ignore[attr-defined]
    for p in rows.prep:
        split[p.team_id].prep.append(p)  # type: ignore[attr-defined]
    for a in rows.actions:
        split[a.team_id].actions.append(a)  # type: ignore[attr-defined]
    return split


def compute(rows: Rows, period: Period, now: datetime) -> Figures:
    """Rows are read by position in one pass each (a Row's names cost more): a year of a team
    is about a thousand rows, and this runs on every view of the report."""
    figures = Figures(period=period)
    holds = period.holds
    in_period = [m for m in rows.meetings if holds(m.starts_at)]
    counted = _counted(in_period, rows.invitations, now)
    figures.meetings = len(counted)
    invitations = [i for i in rows.invitations if i[0] in counted]
    months = {ym: Month(*ym) for ym in period.months()}
    _attendance(figures, invitations, counted, months, period)
    _prep(figures, rows.prep, months, now)
    _cases(figures, in_period)
    figures.actions = _actions(rows.actions, period, to_local(now, period.zone).date())
    figures.minutes_on_time = _minutes(counted.values(), period.zone, now)
    figures.protected = tally(m.outside_protected_reason is None for m in counted.values())
    figures.months = list(months.values())
    return figures


def _counted(meetings: Sequence[sa.Row], invitations: Sequence[sa.Row], now: datetime) -> dict:  # type: ignore[type-arg]
    recorded = {i[0] for i in invitations if i[5] is not None}  # meeting_id, attendance
    return {
        m.id: m
        for m in meetings
        if m.status is MeetingStatus.HELD
        or (m.status is MeetingStatus.SCHEDULED and m.ends_at <= now and m.id in recorded)
    }


def _attendance(figures: Figures, invitations, counted, months, period: Period) -> None:  # type: ignore[no-untyped-def]
    """Counted in plain integers ([attended, of]) and made Ratios at the end: a year of a
    team is a few hundred invitations, read by position (a Row's names cost more)."""
    people: dict[int, Person] = {}
    attended: dict[int, list[int]] = {}
    core = [0, 0]
    by_month: dict[tuple[int, int], list[int]] = {ym: [0, 0] for ym in months}
    expected: dict[str, set[int]] = defaultdict(set)
    covered: dict[str, set[int]] = defaultdict(set)
    month_of_meeting = {m.id: period.month_of(m.starts_at) for m in counted.values()}
    for ym in month_of_meeting.values():
        months[ym].meetings += 1
    for meeting_id, user_id, discipline, for_quorum, covering_for_id, attendance in invitations:
        came = attendance in ATTENDED
        if for_quorum:
            expected[discipline].add(meeting_id)
            if came:
                covered[discipline].add(meeting_id)
        if covering_for_id is not None:
            if came:
                people.setdefault(covering_for_id, Person(covering_for_id)).covered += 1
            continue
        if attendance is None:
            continue
        person = people.setdefault(user_id, Person(user_id))
        person.core = person.core or for_quorum
        tally_of = attended.setdefault(user_id, [0, 0])
        tally_of[0] += came
        tally_of[1] += 1
        if for_quorum:
            core[0] += came
            core[1] += 1
            month = by_month[month_of_meeting[meeting_id]]
            month[0] += came
            month[1] += 1
    for user_id, (count, out_of) in attended.items():
        people[user_id].attended = Ratio(count, out_of)
    figures.core_attendance = Ratio(*core)
    for ym, (count, out_of) in by_month.items():
        months[ym].attendance = Ratio(count, out_of)
    figures.people = [p for p in people.values() if p.attended.out_of]
    figures.disciplines = {
        d: Ratio(len(covered[d]), len(meetings)) for d, meetings in sorted(expected.items())
    }


def _prep(figures: Figures, prep: Sequence[sa.Row], months: dict, now: datetime) -> None:  # type: ignore[type-arg]
    """Requests whose deadline is in the period and has passed: counted by (person,
    discipline, month, on time) in one pass, then summed each way."""
    period = figures.period
    holds, month_of = period.holds, period.month_of
    counts: Counter[tuple[int, str, tuple[int, int], bool]] = Counter(
        (user_id, discipline, month_of(due_at), completed_at is not None and completed_at <= due_at)
        for _team_id, user_id, discipline, due_at, completed_at in prep
        if due_at <= now and holds(due_at)
    )
    total = [0, 0]
    by_discipline: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_person: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    by_month: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    for (user_id, discipline, month, on_time), n in counts.items():
        for tally_of in (total, by_discipline[discipline], by_person[user_id], by_month[month]):
            tally_of[0] += n if on_time else 0
            tally_of[1] += n
    figures.prep = Ratio(*total)
    for ym, (count, out_of) in by_month.items():
        months[ym].prep = Ratio(count, out_of)
    figures.prep_by_discipline = {d: Ratio(*t) for d, t in sorted(by_discipline.items())}
    figures.prep_by_person = {u: Ratio(*t) for u, t in by_person.items()}


def _cases(figures: Figures, meetings: Sequence[sa.Row]) -> None:  # type: ignore[type-arg]
    for m in meetings:
        figures.discussed += m.discussed
        figures.deferred += m.deferred
        figures.rolled_forward += m.rolled_forward


def _actions(rows: Sequence[sa.Row], period: Period, today: date) -> Actions:  # type: ignore[type-arg]
    out = Actions()
    holds, zone = period.holds, period.zone
    days: dict[datetime, date] = {}

    def day(moment: datetime) -> date:
        found = days.get(moment)
        if found is None:
            found = days[moment] = to_local(moment, zone).date()
        return found

    in_time, late_open, took = 0, 0, []
    for _team_id, created_at, due_date, status, closed_at in rows:
        late = due_date < today
        if status is ActionStatus.OPEN and late:
            out.overdue_now += 1
        if not holds(created_at):
            continue
        out.created += 1
        if status is ActionStatus.CANCELLED:
            out.cancelled += 1
        elif status is ActionStatus.OPEN:
            late_open += late
        elif status is ActionStatus.DONE and closed_at is not None:
            closed_on = day(closed_at)
            in_time += closed_on <= due_date
            took.append((closed_on - day(created_at)).days)
    out.done = len(took)
    out.on_time = Ratio(in_time, len(took) + late_open)
    if took:
        middle = median(took)
        out.median_days = int(middle) if middle == int(middle) else middle
    return out


def minutes_deadline(ends_at: datetime, zone: str) -> datetime:
    """Minutes are on time when sent by the end of the next working day after the meeting."""
    return end_of_day(next_working_day(to_local(ends_at, zone).date()), zone)


def _minutes(meetings: Iterable[sa.Row], zone: str, now: datetime) -> Ratio:  # type: ignore[type-arg]
    results = []
    for m in meetings:
        deadline = minutes_deadline(m.ends_at, zone)
        if m.minutes_sent_at is None and now <= deadline:
            continue  # not due yet
        results.append(m.minutes_sent_at is not None and m.minutes_sent_at <= deadline)
    return tally(results)
