from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.availability.clashes import ClashChecker, ClashReport
from mdt.availability.models import Commitment
from mdt.core.recurrence import Frequency
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.slots import bookings
from mdt.slots.models import SlotException, SlotSeries
from mdt.slots.occurrences import Occurrence, next_occurrences
from mdt.teams.models import Team


class OccurrenceBooked(Exception):
    """A meeting is booked in the occurrence: change the meeting instead."""


SERIES_FIELDS = (
    "title",
    "frequency",
    "interval",
    "weekday",
    "ordinal",
    "start_date",
    "end_date",
    "start_time",
    "duration_minutes",
    "time_zone",
    "location",
    "video_link",
    "skip_bank_holidays",
)


def series_fields(form: Any) -> dict[str, Any]:
    fields = {name: getattr(form, name).data for name in SERIES_FIELDS}
    fields["frequency"] = Frequency(fields["frequency"])
    if fields["frequency"] is Frequency.MONTHLY:
        fields["interval"] = 1
    else:
        fields["ordinal"] = None
    for text in ("title", "time_zone", "location", "video_link"):
        fields[text] = (fields[text] or "").strip()
    return fields


def create_series(team: Team, **fields: Any) -> SlotSeries:
    series = SlotSeries(team=team, **fields)
    db.session.add(series)
    db.session.flush()
    return series


def update_series(series: SlotSeries, revision: int | None, **fields: Any) -> None:
    series.check(revision)
    for name, value in fields.items():
        setattr(series, name, value)
    series.bump()
    series.updated_at = now_utc()
    db.session.flush()


def change_occurrence(
    series: SlotSeries,
    original_date: date,
    by: User,
    reason: str,
    moved_to: datetime | None = None,
) -> SlotException:
    """Cancel (moved_to None) or move one occurrence; the series keeps its identity."""
    if bookings.is_booked(series.id, original_date):
        raise OccurrenceBooked()
    exception = next((e for e in series.exceptions if e.original_date == original_date), None)
    if exception is None:
        exception = SlotException(original_date=original_date)
        series.exceptions.append(exception)
    exception.cancelled = moved_to is None
    exception.moved_to = moved_to
    exception.reason = reason.strip()
    exception.created_by_id = by.id
    series.bump()
    series.updated_at = now_utc()
    db.session.flush()
    return exception


def clash_checker(team: Team) -> ClashChecker:
    """One query for every commitment of the team's members and deputies."""
    people = ClashChecker.people_of(team)
    commitments = db.session.scalars(sa.select(Commitment).where(Commitment.user_id.in_(people)))
    return ClashChecker(team, commitments)


def preview(
    series: SlotSeries, checker: ClashChecker, today: date, count: int = 12
) -> list[tuple[Occurrence, ClashReport | None]]:
    """The next occurrences with who clashes; skipped and cancelled ones carry no report."""
    return [
        (occ, checker.check(occ.starts_at, occ.ends_at) if occ.takes_place else None)
        for occ in next_occurrences(series, today, count)
    ]
