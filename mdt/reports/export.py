"""The report's figures as CSV rows: the same numbers the page shows, nothing about patients."""

from __future__ import annotations

from collections.abc import Iterator

from mdt.reports.measures import Figures, Ratio

TEAM_COLUMNS = ("Measure", "Group", "Value", "Out of", "Percent")
ACROSS_COLUMNS = (
    "Team",
    "Meetings counted",
    "Core attendance %",
    "Disciplines below 2/3",
    "Preparation on time %",
    "Cases discussed",
    "Cases deferred",
    "Cases rolled forward",
    "Actions created",
    "Actions closed on time %",
    "Median days to close",
    "Actions overdue now",
    "Minutes within 1 working day %",
    "Meetings in protected time %",
)


def percent(ratio: Ratio) -> str:
    return "" if ratio.percent is None else f"{ratio.percent:.1f}"


def _ratio(measure: str, group: str, ratio: Ratio) -> list[str]:
    return [measure, group, str(ratio.count), str(ratio.out_of), percent(ratio)]


def _value(measure: str, value: object) -> list[str]:
    return [measure, "", "" if value is None else str(value), "", ""]


def team_rows(figures: Figures, names: dict[int, str]) -> Iterator[list[str]]:
    f, a = figures, figures.actions
    yield _value("Period from", f.period.first.isoformat())
    yield _value("Period to", f.period.last.isoformat())
    yield _value("Meetings counted", f.meetings)
    yield _ratio("Core attendance", "All core members", f.core_attendance)
    for d, ratio in f.disciplines.items():
        yield _ratio("Attendance by discipline", d, ratio)
    for p in f.people:
        yield _ratio("Attendance by person", names.get(p.user_id, ""), p.attended)
    yield _ratio("Preparation on time", "All", f.prep)
    for d, ratio in f.prep_by_discipline.items():
        yield _ratio("Preparation on time by discipline", d, ratio)
    for user_id, ratio in f.prep_by_person.items():
        yield _ratio("Preparation on time by person", names.get(user_id, ""), ratio)
    yield _value("Cases discussed", f.discussed)
    yield _value("Cases deferred", f.deferred)
    yield _value("Cases rolled forward", f.rolled_forward)
    yield _value("Actions created", a.created)
    yield _value("Actions done", a.done)
    yield _value("Actions cancelled", a.cancelled)
    yield _ratio("Actions closed on time", "", a.on_time)
    yield _value("Median days to close", a.median_days)
    yield _value("Actions overdue now", a.overdue_now)
    yield _ratio("Minutes sent within 1 working day", "", f.minutes_on_time)
    yield _ratio("Meetings in protected time", "", f.protected)
    for m in f.months:
        yield _ratio("Core attendance by month", f"{m.year}-{m.month:02d}", m.attendance)
        yield _ratio("Preparation on time by month", f"{m.year}-{m.month:02d}", m.prep)


def across_row(name: str, f: Figures) -> list[str]:
    a = f.actions
    return [
        name,
        str(f.meetings),
        percent(f.core_attendance),
        str(len(f.disciplines_below)),
        percent(f.prep),
        str(f.discussed),
        str(f.deferred),
        str(f.rolled_forward),
        str(a.created),
        percent(a.on_time),
        "" if a.median_days is None else str(a.median_days),
        str(a.overdue_now),
        percent(f.minutes_on_time),
        percent(f.protected),
    ]
