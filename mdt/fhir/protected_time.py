"""Schedule and Slot: the teams' protected time (mdt.slots), and which slots are booked."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import request

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.fhir import resources as fhir
from mdt.fhir.errors import not_found
from mdt.fhir.search import bad_parameter
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import Occurrence, find_occurrence, occurrences

#: The longest stretch one Slot search expands (a rule gives a date a week at most).
MOST_DAYS = 400


def booked_dates(series: SlotSeries) -> set[date]:
    return set(
        db.session.scalars(
            sa.select(Meeting.occurrence_date).where(
                Meeting.series_id == series.id, Meeting.status != MeetingStatus.CANCELLED
            )
        )
    )


def _bounds() -> tuple[date, date]:
    """`start=ge2027-01-01&start=lt2027-04-01`; by default the next 90 days."""
    first, last = now_utc().date(), now_utc().date() + timedelta(days=90)
    for raw in request.args.getlist("start"):
        prefix, text = raw[:2], raw[2:]
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            raise bad_parameter("start", "give ge<date> and lt<date>, like ge2027-01-01") from None
        if prefix in ("ge", "gt"):
            first = day + timedelta(days=prefix == "gt")
        elif prefix in ("le", "lt"):
            last = day - timedelta(days=prefix == "lt")
        else:
            raise bad_parameter("start", "give ge<date> and lt<date>")
    if (last - first).days > MOST_DAYS:
        raise bad_parameter("start", f"ask for {MOST_DAYS} days or fewer at a time")
    return first, last


def slots_of(series_list: list[SlotSeries]) -> list[fhir.Resource]:
    first, last = _bounds()
    found = []
    for series in series_list:
        taken = booked_dates(series)
        for occ in occurrences(series, first, last):
            found.append((occ.starts_at, fhir.slot(series, occ, occ.original_date in taken)))
    return [resource for _, resource in sorted(found, key=lambda pair: pair[0])]


def one_slot(series: SlotSeries, raw_date: str) -> fhir.Resource:
    try:
        day = date(int(raw_date[:4]), int(raw_date[4:6]), int(raw_date[6:8]))
    except ValueError:
        raise not_found() from None
    occurrence: Occurrence | None = find_occurrence(series, day)
    if occurrence is None or len(raw_date) != 8:
        raise not_found()
    return fhir.slot(series, occurrence, day in booked_dates(series))
