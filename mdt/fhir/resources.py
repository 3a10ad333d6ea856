"""Our records as FHIR R4 resources (UK Core profiles, mdt.fhir.profiles). Plain dicts: the
tests parse each one with FHIR 4.0.1 models (fhirclient's) and R4B ones (fhir.resources), so
what leaves here is checked to be valid FHIR."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.agenda.models import Case, Priority
from mdt.fhir.profiles import profile
from mdt.meetings.models import Meeting, MeetingStatus, Reply
from mdt.minutes.models import Discussion
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import Occurrence
from mdt.teams.models import Team

NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS_CODE = "https://fhir.nhs.uk/Id/ods-organization-code"
#: People are named by their work email (we serve no Practitioner resource).
EMAIL = "urn:ietf:rfc:5322"
#: Our own definitions: the Task codes and the referral's fields UK Core has no element for.
OURS = "https://mdt-coordinator.example/fhir"
TASK_CODES = f"{OURS}/CodeSystem/task-code"
WHAT_MATTERS = f"{OURS}/StructureDefinition/what-matters"
QUESTIONS = f"{OURS}/StructureDefinition/questions"
LATE_REASON = f"{OURS}/StructureDefinition/late-reason"

Resource = dict[str, Any]


def instant(moment: datetime) -> str:
    return moment.isoformat(timespec="seconds").replace("+00:00", "Z")


def meta(resource_type: str, revision: int, updated: datetime | None) -> Resource:
    body: Resource = {"versionId": str(revision), "profile": [profile(resource_type)]}
    if updated is not None:
        body["lastUpdated"] = instant(updated)
    return body


def practitioner(user: User) -> Resource:
    return {
        "type": "Practitioner",
        "identifier": {"system": EMAIL, "value": user.email},
        "display": user.name,
    }


def patient(p: Patient) -> Resource:
    return {
        "reference": f"Patient/{p.id}",
        "type": "Patient",
        "identifier": {"system": NHS_NUMBER, "value": p.nhs_number},
    }


def service_ref(team_id: int, name: str | None = None) -> Resource:
    ref: Resource = {"reference": f"HealthcareService/{team_id}"}
    if name:
        ref["display"] = name
    return ref


def healthcare_service(team: Team) -> Resource:
    """A team's MDT as a service; teams keep no change time, so no lastUpdated."""
    body: Resource = {
        "resourceType": "HealthcareService",
        "id": str(team.id),
        "meta": meta("HealthcareService", team.revision, None),
        "active": True,
        "name": team.name,
        "comment": (team.description or "Multidisciplinary team meeting")[:1000],
    }
    coordinators = team.active_coordinators()
    if coordinators:  # the organisation that runs it: its (first) coordinator's
        org = coordinators[0].organisation
        body["providedBy"] = {"display": org.name} | (
            {"identifier": {"system": ODS_CODE, "value": org.ods_code}} if org.ods_code else {}
        )
    return body


_PARTICIPATION = {
    Reply.NONE: "needs-action",
    Reply.IN_PERSON: "accepted",
    Reply.REMOTE: "accepted",
    Reply.APOLOGIES: "declined",
}


def appointment(meeting: Meeting) -> Resource:
    status = {
        MeetingStatus.SCHEDULED: "booked",
        MeetingStatus.CANCELLED: "cancelled",
        MeetingStatus.HELD: "fulfilled",
    }[meeting.status]
    participants = [
        {"actor": service_ref(meeting.team_id, meeting.team.name), "status": "accepted"}
    ] + [
        {"actor": practitioner(inv.user), "status": _PARTICIPATION[inv.reply]}
        for inv in meeting.invitations
    ]
    return {
        "resourceType": "Appointment",
        "id": str(meeting.id),
        "meta": meta("Appointment", meeting.revision, meeting.updated_at),
        "status": status,
        "serviceType": [{"text": meeting.team.name}],
        "description": f"{meeting.team.name} MDT meeting",
        "start": instant(meeting.starts_at),
        "end": instant(meeting.ends_at),
        "participant": participants,
    }


def service_request(case: Case) -> Resource:
    meeting = case.meeting
    status = "active"
    if meeting.status is MeetingStatus.CANCELLED:
        status = "revoked"
    elif meeting.minutes_sent_at is not None:
        status = "completed"
    extensions = [
        {"url": url, "valueString": text}
        for url, text in (
            (WHAT_MATTERS, case.what_matters),
            (QUESTIONS, case.questions),
            (LATE_REASON, case.late_reason),
        )
        if text
    ]
    body: Resource = {
        "resourceType": "ServiceRequest",
        "id": str(case.id),
        "meta": meta("ServiceRequest", case.revision, case.created_at),
        "status": status,
        "intent": "order",
        "priority": "urgent" if case.priority is Priority.URGENT else "routine",
        "subject": patient(case.patient),
        "authoredOn": instant(case.created_at),
        "performer": [service_ref(meeting.team_id, meeting.team.name)],
        "reasonCode": [{"text": case.reason}],
        "occurrenceDateTime": instant(meeting.starts_at),
    }
    if extensions:
        body["extension"] = extensions
    if case.disciplines:
        body["orderDetail"] = [{"text": d} for d in case.disciplines]
    if case.referred_by is not None:
        body["requester"] = practitioner(case.referred_by)
    return body


def _task_code(code: str) -> Resource:
    return {"coding": [{"system": TASK_CODES, "code": code}]}


def _period_end(moment: datetime | date) -> Resource:
    text = instant(moment) if isinstance(moment, datetime) else moment.isoformat()
    return {"period": {"end": text}}


def prep_task(request: PrepRequest) -> Resource:
    case = request.case
    updated = request.completed_at or case.created_at
    body: Resource = {
        "resourceType": "Task",
        "id": f"prep-{request.id}",
        "meta": meta("Task", request.revision, updated),
        "status": "completed" if request.done else "requested",
        "intent": "order",
        "code": _task_code("prepare"),
        "description": f"Prepare for the discussion ({request.discipline})",
        "focus": {"reference": f"ServiceRequest/{case.id}"},
        "for": patient(case.patient),
        "authoredOn": instant(case.created_at),
        "lastModified": instant(updated),
        "owner": practitioner(request.user),
        "restriction": _period_end(request.due_at),
    }
    if request.done and request.involvement:
        body["output"] = [_output(request.involvement)]
    return body


def _output(text: str) -> Resource:
    return {"type": {"text": "What was done"}, "valueString": text}


_ACTION_STATUS = {
    ActionStatus.OPEN: "requested",
    ActionStatus.DONE: "completed",
    ActionStatus.CANCELLED: "cancelled",
}


def action_task(action: ActionPoint) -> Resource:
    body: Resource = {
        "resourceType": "Task",
        "id": f"action-{action.id}",
        "meta": meta("Task", action.revision, action.updated_at),
        "status": _ACTION_STATUS[action.status],
        "intent": "order",
        "code": _task_code("action"),
        "description": action.description,
        "authoredOn": instant(action.created_at),
        "lastModified": instant(action.updated_at),
        "owner": practitioner(action.owner),
        "restriction": _period_end(action.due_date),
    }
    if action.case_id is not None:
        body["focus"] = {"reference": f"ServiceRequest/{action.case_id}"}
    if action.patient is not None:
        body["for"] = patient(action.patient)
    if action.status is ActionStatus.DONE and action.closing_note:
        body["output"] = [_output(action.closing_note)]
    if action.status is ActionStatus.CANCELLED and action.closing_note:
        body["statusReason"] = {"text": action.closing_note}
    return body


def care_plan(discussion: Discussion, actions: list[ActionPoint]) -> Resource:
    case = discussion.case
    body: Resource = {
        "resourceType": "CarePlan",
        "id": str(discussion.id),
        "meta": meta("CarePlan", discussion.revision, discussion.recorded_at),
        "status": "active",
        "intent": "plan",
        "title": discussion.outcome.label,
        "subject": patient(case.patient),
        "created": instant(discussion.recorded_at),
        "basedOn": [{"reference": f"ServiceRequest/{case.id}"}],
        "activity": [{"reference": {"reference": f"Task/action-{a.id}"}} for a in actions],
    }
    if discussion.summary:
        body["description"] = discussion.summary
    if discussion.review_date is not None:
        body["note"] = [{"text": f"Review by {discussion.review_date.isoformat()}"}]
        body["period"] = {"end": discussion.review_date.isoformat()}
    return body


def schedule(series: SlotSeries) -> Resource:
    """A team's protected time: one recurring series of slots."""
    horizon: Resource = {"start": series.start_date.isoformat()}
    if series.end_date is not None:
        horizon["end"] = series.end_date.isoformat()
    return {
        "resourceType": "Schedule",
        "id": str(series.id),
        "meta": meta("Schedule", series.revision, series.updated_at),
        "active": True,
        "serviceType": [{"text": series.title}],
        "actor": [service_ref(series.team_id, series.team.name)],
        "planningHorizon": horizon,
        "comment": f"Protected time of the {series.team.name} MDT",
    }


def slot_id(occurrence: Occurrence) -> str:
    return f"{occurrence.series_id}-{occurrence.original_date:%Y%m%d}"


def slot(series: SlotSeries, occurrence: Occurrence, booked: bool) -> Resource:
    """An occurrence: free, busy (a meeting is booked in it) or busy-unavailable
    (cancelled, or a bank holiday)."""
    status = "busy-unavailable"
    if occurrence.takes_place:
        status = "busy" if booked else "free"
    body: Resource = {
        "resourceType": "Slot",
        "id": slot_id(occurrence),
        "meta": meta("Slot", series.revision, series.updated_at),
        "schedule": {"reference": f"Schedule/{series.id}"},
        "serviceType": [{"text": series.title}],
        "status": status,
        "start": instant(occurrence.starts_at),
        "end": instant(occurrence.ends_at),
    }
    if occurrence.note:
        body["comment"] = occurrence.note
    return body
