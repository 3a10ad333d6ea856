"""Writes for retention: disposing of patients, legal holds, old audit rows. They only flush;
the job, the command or the view commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.actions.models import ActionChange, ActionPoint
from mdt.agenda.models import Case
from mdt.audit.models import AuditEvent
from mdt.audit.operations import record
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.minutes.models import Discussion
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.retention.models import DisposedOutcome, DisposedPrep, LegalHold
from mdt.retention.rules import Standing, nhs_number_hash

#: What an action kept after its patient was disposed of says instead of its own words,
#: which were about that patient.
DISPOSED_ACTION = "Removed: the patient's MDT records were disposed of (retention rule)"


#: Every table that names a patient (see tests/retention/test_every_table.py) and what a
#: disposal does with its rows.
DISPOSAL = {
    "patient": "deleted",
    "agenda_case": "deleted",
    "prep_request": "deleted; counted in disposed_prep",
    "discussion": "deleted; counted in disposed_outcome",
    "action_point": "kept, without the patient, the case or its own words",
    "action_change": "kept with its action (who, when, what kind), without its words",
    "legal_hold": "deleted (only lifted holds: a patient under one is never disposed of)",
    "fhir_referral": "deleted with its case (ON DELETE CASCADE)",
    "audit_event": "kept for [retention] audit_years; the dispose row names them by a keyed hash",
}


class HoldRefusal(Exception):
    """Why the hold cannot be placed or lifted; the message is for the administrator."""


def dispose(due: Sequence[Standing], hash_key: str) -> int:
    """Dispose of these patients: their cases, preparation and outcomes go, leaving the
    counts the reports read; their actions stay, without the patient or their words; one
    audit row each names them only by a keyed hash of their NHS number."""
    ids = [s.patient_id for s in due]
    if not ids:
        return 0
    rows = db.session.execute(sa.select(Patient.id, Patient.nhs_number).where(Patient.id.in_(ids)))
    numbers = {pid: nhs for pid, nhs in rows}
    cases = sa.select(Case.id).where(Case.patient_id.in_(ids)).scalar_subquery()
    _keep_counts(ids, cases)
    theirs = sa.or_(ActionPoint.patient_id.in_(ids), ActionPoint.case_id.in_(cases))
    # Closing notes and reasons in the history are free text about the patient too.
    db.session.execute(
        sa.update(ActionChange)
        .where(ActionChange.action_id.in_(sa.select(ActionPoint.id).where(theirs)))
        .values(detail="")
    )
    db.session.execute(
        sa.update(ActionPoint)
        .where(theirs)
        .values(
            patient_id=None,
            case_id=None,
            description=DISPOSED_ACTION,
            closing_note="",
            revision=ActionPoint.revision + 1,
            updated_at=now_utc(),
        )
    )
    for table, where in (
        (Discussion, Discussion.case_id.in_(cases)),
        (PrepRequest, PrepRequest.case_id.in_(cases)),
        (Case, Case.patient_id.in_(ids)),
        (LegalHold, LegalHold.patient_id.in_(ids)),
        (Patient, Patient.id.in_(ids)),
    ):
        db.session.execute(
            sa.delete(table).where(where), execution_options={"synchronize_session": False}
        )
    for standing in due:
        if standing.patient_id in numbers:
            _record_disposal(standing, nhs_number_hash(numbers[standing.patient_id], hash_key))
    db.session.flush()
    return len(numbers)


def _keep_counts(ids: list[int], cases: sa.ScalarSelect[int]) -> None:
    """Copy what the reports count, before the rows it is counted from go."""
    db.session.execute(
        sa.insert(DisposedOutcome).from_select(
            ["meeting_id", "outcome"],
            sa.select(Discussion.meeting_id, Discussion.outcome).where(
                Discussion.case_id.in_(cases)
            ),
        )
    )
    db.session.execute(
        sa.insert(DisposedPrep).from_select(
            ["meeting_id", "user_id", "discipline", "due_at", "completed_at"],
            sa.select(
                Case.meeting_id,
                PrepRequest.user_id,
                PrepRequest.discipline,
                PrepRequest.due_at,
                PrepRequest.completed_at,
            )
            .join(Case, Case.id == PrepRequest.case_id)
            .where(Case.patient_id.in_(ids)),
        )
    )


def _record_disposal(standing: Standing, digest: str) -> None:
    record(
        "dispose",
        [standing.patient_id],
        f"disposed of by the retention rule ({standing.years} years after {standing.closed_on}); "
        f"NHS number HMAC-SHA256 {digest}",
    )


def place_hold(patient: Patient, reason: str, by: User) -> LegalHold:
    active = db.session.scalar(
        sa.select(LegalHold).where(
            LegalHold.patient_id == patient.id, LegalHold.lifted_at.is_(None)
        )
    )
    if active is not None:
        raise HoldRefusal("This patient is already under a legal hold")
    hold = LegalHold(patient_id=patient.id, reason=reason.strip(), placed_by_id=by.id)
    db.session.add(hold)
    db.session.flush()
    record("update", [patient.id], f"legal hold {hold.id} placed")
    return hold


def lift_hold(hold: LegalHold, reason: str, by: User) -> None:
    if not hold.active:
        raise HoldRefusal("This hold was already lifted")
    hold.lift_reason, hold.lifted_by_id, hold.lifted_at = reason.strip(), by.id, now_utc()
    db.session.flush()
    record("update", [hold.patient_id], f"legal hold {hold.id} lifted")


def first_kept_audit_id(cutoff: datetime) -> int | None:
    """The id of the oldest audit row written at or after `cutoff`, kept with every row after
    it. When every row is older, the id after the newest: a row written while the old ones
    are deleted is kept. None when there are no rows."""
    first_young = db.session.scalar(
        sa.select(sa.func.min(AuditEvent.id)).where(AuditEvent.at >= cutoff)
    )
    if first_young is not None:
        return int(first_young)
    newest = db.session.scalar(sa.select(sa.func.max(AuditEvent.id)))
    return None if newest is None else int(newest) + 1


def dispose_audit_before(first_kept: int | None, batch: int) -> int:
    """Delete up to `batch` of the oldest audit rows, all before `first_kept`. Always a
    prefix by id, never from the middle: the audit chain is verified from the first row
    that remains."""
    oldest = db.session.scalar(sa.select(sa.func.min(AuditEvent.id)))
    if first_kept is None or oldest is None or oldest >= first_kept:
        return 0
    result = db.session.execute(
        sa.delete(AuditEvent).where(AuditEvent.id < min(first_kept, oldest + batch)),
        execution_options={"synchronize_session": False},
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]
