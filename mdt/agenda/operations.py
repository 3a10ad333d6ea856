"""Building a meeting's agenda: cases, the cut-off, late urgent additions."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.agenda.cutoff import agenda_cutoff
from mdt.agenda.models import Case, Priority, Triage
from mdt.agenda.signals import case_added, case_leaving, case_moved
from mdt.audit.operations import record
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.patients.access import can_see_patient
from mdt.patients.models import Patient


class AgendaRefusal(Exception):
    """Why the case cannot be added; the message is for the person adding it. `probed` is
    a patient the refusal concerns whom they may not see: the view audits the attempt
    (after rolling the rest back)."""

    def __init__(self, message: str, probed: int | None = None) -> None:
        super().__init__(message)
        self.probed = probed


MISMATCH = (
    "This NHS number is already recorded with a different name or date of birth. "
    "Check the NHS number, name and date of birth against the person's record."
)

#: For a number recorded for a patient the person adding may not see, when the name or the
#: date of birth differ: nothing about that patient (not even that the number is recorded).
NOT_ADDED = (
    "This person could not be added with these details. Check the NHS number, name and "
    "date of birth against the person's record, and ask their GP practice if they are right."
)


def find_or_create_patient(
    nhs_number: str, name: str, date_of_birth: date, practice_id: int, by: User
) -> Patient:
    """The patient the NHS number names, or a new one. A number already recorded is never
    recorded twice: the case joins that patient when the name and date of birth match
    (typing all three is knowing the person). When they differ, those who may see the
    patient are told so; anyone else is refused without being told the number exists, and
    the attempt is audited against that patient."""
    patient = db.session.scalar(sa.select(Patient).where(Patient.nhs_number == nhs_number))
    if patient is None:
        patient = Patient(
            nhs_number=nhs_number,
            name=name.strip(),
            date_of_birth=date_of_birth,
            registered_practice_id=practice_id,
        )
        db.session.add(patient)
        db.session.flush()
        record("create", [patient.id], "patient record")
        return patient
    if patient.date_of_birth != date_of_birth or patient.name.lower() != name.strip().lower():
        if can_see_patient(by, patient.id):
            raise AgendaRefusal(MISMATCH)
        raise AgendaRefusal(NOT_ADDED, probed=patient.id)
    return patient


def add_case(
    meeting: Meeting,
    patient: Patient,
    by: User,
    now: datetime,
    *,
    reason: str,
    priority: Priority,
    late_reason: str | None = None,
    **fields: object,
) -> Case:
    if patient.objects_to_sharing:
        raise AgendaRefusal(
            "This person has objected to being discussed at MDT meetings, so they cannot be "
            "added to an agenda. Talk to them, or to their GP practice, about their care."
        )
    check_open_to(meeting, now, priority, late_reason)
    if any(c.patient_id == patient.id for c in cases_of(meeting)):
        raise AgendaRefusal("This person is already on this meeting's agenda.")
    late = now >= agenda_cutoff(meeting)
    position = max((c.position for c in cases_of(meeting)), default=0) + 1
    case = Case(
        meeting_id=meeting.id,
        patient_id=patient.id,
        reason=reason.strip(),
        priority=priority,
        referred_by_id=by.id,
        position=position,
        late_reason=(late_reason or "").strip() if late else None,
        **fields,
    )
    db.session.add(case)
    db.session.flush()
    case_added.send(case, meeting=meeting)
    record("create", [patient.id], f"case {case.id} on the agenda of meeting {meeting.id}")
    return case


def add_referred_case(
    meeting: Meeting, by: User, now: datetime, person: dict[str, Any], **case: Any
) -> Case:
    """A case for the person `person` names (find_or_create_patient's arguments, `by`
    aside). Whether the agenda is open is checked before the NHS number is looked up."""
    check_open_to(meeting, now, case["priority"], case.get("late_reason"))
    patient = find_or_create_patient(**person, by=by)
    return add_case(meeting, patient, by, now, **case)


def check_open_to(
    meeting: Meeting, now: datetime, priority: Priority, late_reason: str | None
) -> None:
    """Whether the agenda takes a case of this priority now, whoever the patient: checked
    before the NHS number is looked up, so that the answer about a number is never one of
    these (a number unknown here and one recorded elsewhere are refused alike)."""
    if meeting.status is not MeetingStatus.SCHEDULED or meeting.starts_at <= now:
        raise AgendaRefusal("Cases can only be added to a meeting that is still to come.")
    late = now >= agenda_cutoff(meeting)
    if late and priority is not Priority.URGENT:
        raise AgendaRefusal(
            "The agenda closed at the cut-off: after it only urgent cases can be added. Add "
            "this case to the next meeting, or mark it urgent and say why it cannot wait."
        )
    if late and not (late_reason or "").strip():
        raise AgendaRefusal("Say why this urgent case cannot wait for the next meeting.")


def cases_of(meeting: Meeting) -> list[Case]:
    return list(
        db.session.scalars(
            sa.select(Case).where(Case.meeting_id == meeting.id).order_by(Case.position, Case.id)
        )
    )


def next_meeting_after(meeting: Meeting) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting)
        .where(
            Meeting.team_id == meeting.team_id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > meeting.starts_at,
        )
        .order_by(Meeting.starts_at)
        .limit(1)
    )


def move_case(case: Case, to: Meeting) -> None:
    """Moves a case to another meeting's agenda; what other features keep for it (its
    preparation) follows, through the signals."""
    case_leaving.send(case, meeting=case.meeting)
    case.meeting_id = to.id
    case.meeting = to
    case_moved.send(case, meeting=to)
    case.bump()
    db.session.flush()


def defer(case: Case, meeting: Meeting) -> Meeting:
    target = next_meeting_after(meeting)
    if target is None:
        raise AgendaRefusal("Book the team's next meeting first: the case moves to it.")
    if any(c.patient_id == case.patient_id for c in cases_of(target)):
        raise AgendaRefusal("This person is already on the next meeting's agenda.")
    target.team = meeting.team
    move_case(case, target)
    case.position = max((c.position for c in cases_of(target) if c.id != case.id), default=0) + 1
    record("update", [case.patient_id], f"case {case.id} deferred to meeting {target.id}")
    return target


__all__ = ["Triage", "add_case", "defer", "find_or_create_patient", "move_case"]
