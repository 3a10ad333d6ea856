"""A series' occurrences over a period: scheduled, moved, cancelled or skipped (bank holiday)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from mdt.core.days import bank_holiday, local_to_utc
from mdt.slots.models import SlotSeries


class OccurrenceState(enum.StrEnum):
    SCHEDULED = "scheduled"
    MOVED = "moved"
    CANCELLED = "cancelled"
    SKIPPED = "skipped"  # a bank holiday


@dataclass(frozen=True)
class Occurrence:
    series_id: int
    #: The date the rule gives, in the series' zone; identifies the occurrence for good.
    original_date: date
    starts_at: datetime  # UTC
    ends_at: datetime  # UTC
    state: OccurrenceState
    #: The bank holiday's name, or the reason it was moved or cancelled.
    note: str = ""

    @property
    def takes_place(self) -> bool:
        return self.state in (OccurrenceState.SCHEDULED, OccurrenceState.MOVED)

    def local_start(self, zone: str) -> datetime:
        return self.starts_at.astimezone(ZoneInfo(zone))


def occurrences(series: SlotSeries, start: date, end: date) -> list[Occurrence]:
    exceptions = {e.original_date: e for e in series.exceptions}
    length = timedelta(minutes=series.duration_minutes)
    out = []
    for day in series.rule.dates(start, end):
        begins = local_to_utc(day, series.start_time, series.time_zone)
        state, note = OccurrenceState.SCHEDULED, ""
        exception = exceptions.get(day)
        holiday = bank_holiday(day) if series.skip_bank_holidays else None
        if exception is not None and exception.cancelled:
            state, note = OccurrenceState.CANCELLED, exception.reason
        elif exception is not None and exception.moved_to is not None:
            state, note, begins = OccurrenceState.MOVED, exception.reason, exception.moved_to
        elif holiday:
            state, note = OccurrenceState.SKIPPED, holiday
        out.append(Occurrence(series.id, day, begins, begins + length, state, note))
    return out


def next_occurrences(series: SlotSeries, today: date, count: int = 12) -> list[Occurrence]:
    """The next `count` occurrences that take place, with the skipped and cancelled among them."""
    out: list[Occurrence] = []
    start, horizon = today, today + timedelta(days=400)
    for occ in occurrences(series, start, horizon):
        out.append(occ)
        if sum(o.takes_place for o in out) >= count:
            break
    return out


def find_occurrence(series: SlotSeries, original_date: date) -> Occurrence | None:
    found = occurrences(series, original_date, original_date)
    return found[0] if found else None
