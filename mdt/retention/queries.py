"""Where every patient stands against the retention rule, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from mdt.actions.models import ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.core.days import SERVICE_ZONE, to_local
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.minutes.models import Discussion
from mdt.organisations.models import Organisation
from mdt.patients.models import Patient
from mdt.retention.models import LegalHold
from mdt.retention.rules import Standing, closed_on


def patient_by_nhs_number(nhs_number: str | None) -> Patient | None:
    return db.session.scalar(sa.select(Patient).where(Patient.nhs_number == nhs_number))


def default_years(config: Mapping[str, Any]) -> int:
    return int(config["RETENTION_PATIENT_YEARS"])


def _local_day(moment: datetime | None) -> date | None:
    return None if moment is None else to_local(moment, SERVICE_ZONE).date()


def _only(column: sa.ColumnElement[int], ids: Collection[int] | None) -> list[Any]:
    return [] if ids is None else [column.in_(sorted(ids))]


def _cases(ids: Collection[int] | None) -> dict[int, tuple[int, datetime | None]]:
    """Per patient: cases still open (waiting, or on a meeting not closed), and when the
    meeting each of the others last sat on was closed (or cancelled)."""
    still_open = sa.or_(Case.waiting, Meeting.status == MeetingStatus.SCHEDULED)
    ended = sa.case(
        (
            Meeting.status == MeetingStatus.HELD,
            sa.func.coalesce(Meeting.closed_at, Meeting.ends_at),
        ),
        else_=Meeting.updated_at,
    )
    rows = db.session.execute(
        sa.select(Case.patient_id, sa.func.count().filter(still_open), sa.func.max(ended))
        .join(Meeting, Meeting.id == Case.meeting_id)
        .where(*_only(Case.patient_id, ids))
        .group_by(Case.patient_id)
    )
    return {pid: (n, last) for pid, n, last in rows}


def _actions(ids: Collection[int] | None) -> dict[int, tuple[int, datetime | None]]:
    rows = db.session.execute(
        sa.select(
            ActionPoint.patient_id,
            sa.func.count().filter(ActionPoint.status == ActionStatus.OPEN),
            sa.func.max(ActionPoint.closed_at),
        )
        .where(ActionPoint.patient_id.is_not(None), *_only(ActionPoint.patient_id, ids))  # type: ignore[arg-type]
        .group_by(ActionPoint.patient_id)
    )
    return {pid: (n, last) for pid, n, last in rows}


def _reviews(ids: Collection[int] | None) -> dict[int, date | None]:
    rows = db.session.execute(
        sa.select(Case.patient_id, sa.func.max(Discussion.review_date))
        .join(Discussion, Discussion.case_id == Case.id)
        .where(*_only(Case.patient_id, ids))
        .group_by(Case.patient_id)
    )
    return {pid: day for pid, day in rows}


def held_ids(ids: Collection[int] | None = None) -> set[int]:
    return set(
        db.session.scalars(
            sa.select(LegalHold.patient_id).where(
                LegalHold.lifted_at.is_(None), *_only(LegalHold.patient_id, ids)
            )
        )
    )


def standings(config: Mapping[str, Any], ids: Collection[int] | None = None) -> list[Standing]:
    """Every patient's standing (or those in `ids`): five queries, whatever their number."""
    patients = db.session.execute(
        sa.select(Patient.id, Patient.created_at, Organisation.retention_years)
        .join(Organisation, Organisation.id == Patient.registered_practice_id)
        .where(*_only(Patient.id, ids))
        .order_by(Patient.id)
    )
    cases, actions, reviews, held = _cases(ids), _actions(ids), _reviews(ids), held_ids(ids)
    years = default_years(config)
    found = []
    for pid, created_at, own_years in patients:
        open_cases, case_closed = cases.get(pid, (0, None))
        open_actions, action_closed = actions.get(pid, (0, None))
        closed = closed_on(
            open_cases + open_actions,
            _local_day(created_at),  # type: ignore[arg-type]
            [_local_day(case_closed), _local_day(action_closed)],
            [reviews.get(pid)],
        )
        found.append(Standing(pid, closed, own_years or years, pid in held))
    return found


def due_now(config: Mapping[str, Any], today: date) -> list[Standing]:
    return [s for s in standings(config) if s.due_by(today)]


@dataclass(frozen=True)
class Upcoming:
    """A patient falling due soon, for the administrators' page."""

    standing: Standing
    patient: Patient
    hold: LegalHold | None


def falling_due(config: Mapping[str, Any], until: date) -> list[Upcoming]:
    """Patients due on or before `until` (those held included, with their hold), soonest
    first; and every patient under a hold, whenever they fall due."""
    chosen = [
        s for s in standings(config) if s.held or (s.due_on is not None and s.due_on <= until)
    ]
    ids = [s.patient_id for s in chosen]
    patients = {p.id: p for p in db.session.scalars(sa.select(Patient).where(Patient.id.in_(ids)))}
    holds = {
        h.patient_id: h
        for h in db.session.scalars(
            sa.select(LegalHold).where(LegalHold.patient_id.in_(ids), LegalHold.lifted_at.is_(None))
        )
    }
    chosen.sort(key=lambda s: (s.due_on or date.max, s.patient_id))
    return [Upcoming(s, patients[s.patient_id], holds.get(s.patient_id)) for s in chosen]
