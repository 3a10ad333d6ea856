"""Everything held about one patient, as FHIR R4 resources where they fit, else plain JSON.

The export is a JSON document:

- ``format``: ``"mdt-subject-access/1"``; ``generated_at``: when (UTC, ISO 8601).
- ``fhir``: a FHIR R4 ``Bundle`` of type ``collection``: the ``Patient``; a ``ServiceRequest``
  for each case (a referral to the MDT, on one meeting's agenda); a ``Task`` for each
  preparation request (``prep-<id>``) and each action (``action-<id>``, its history in
  ``note``); a ``CarePlan`` for each outcome recorded at a meeting; an ``AuditEvent`` for
  each time someone viewed, changed or exported their data.
- ``legal_holds``: holds on their records (no FHIR resource fits), each with ``reason``,
  ``placed_at``, ``placed_by``, ``lifted_at``, ``lifted_by``, ``lift_reason``.
- ``tables``: how many rows of each table went into the export.

``SOURCES`` names every table read, by table name; a test fails when a table that refers to
a patient (directly, or through a table that does) is not in it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from mdt.accounts.models import User
from mdt.actions.models import ActionChange, ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.audit.models import AuditEvent
from mdt.extensions import db
from mdt.fhir.models import Referral
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.minutes.models import Discussion
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.retention.models import LegalHold

FORMAT = "mdt-subject-access/1"
NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
OBJECTS_EXTENSION = "https://mdt-coordinator.invalid/fhir/StructureDefinition/objects-to-mdt"
#: FHIR AuditEvent.action codes for the audit's actions.
AUDIT_ACTIONS = {"view": "R", "create": "C", "update": "U", "export": "E", "dispose": "D"}


@dataclass
class Export:
    patient: Patient
    generated_at: datetime
    resources: list[dict[str, Any]] = field(default_factory=list)
    legal_holds: list[dict[str, Any]] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)
    #: For the printable page: (when, who, action, what), oldest first.
    views: list[tuple[datetime, str, str, str]] = field(default_factory=list)

    def document(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "generated_at": _instant(self.generated_at),
            "fhir": {
                "resourceType": "Bundle",
                "type": "collection",
                "timestamp": _instant(self.generated_at),
                "entry": [
                    {"fullUrl": f"urn:mdt:{r['resourceType']}/{r['id']}", "resource": r}
                    for r in self.resources
                ],
            },
            "legal_holds": self.legal_holds,
            "tables": self.tables,
        }

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["resourceType"] == resource_type]


def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat(timespec="seconds")


def _day(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


def _notes(*texts: tuple[str, str]) -> list[dict[str, str]]:
    return [{"text": f"{label}: {text}"} for label, text in texts if text]


def _names(ids: set[int | None]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i is not None)
    rows = db.session.execute(sa.select(User.id, User.name, User.email).where(User.id.in_(wanted)))
    return {row.id: f"{row.name} ({row.email})" for row in rows}


def _patient(export: Export) -> int:
    p = export.patient
    resource: dict[str, Any] = {
        "resourceType": "Patient",
        "id": str(p.id),
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": p.nhs_number}],
        "name": [{"text": p.name}],
        "birthDate": _day(p.date_of_birth),
        "generalPractitioner": [{"display": p.registered_practice.name}],
        "extension": [{"url": OBJECTS_EXTENSION, "valueBoolean": p.objects_to_sharing}],
        "meta": {"lastUpdated": _instant(p.created_at)},
    }
    export.resources.append(resource)
    return 1


def _cases(export: Export) -> int:
    rows = db.session.execute(
        sa.select(Case, Meeting)
        .join(Meeting, Meeting.id == Case.meeting_id)
        .where(Case.patient_id == export.patient.id)
        .options(selectinload(Meeting.team))
        .order_by(Case.id)
    ).all()
    names = _names({c.referred_by_id for c, _ in rows} | {c.key_worker_id for c, _ in rows})
    for case, meeting in rows:
        open_ = case.waiting or meeting.status is MeetingStatus.SCHEDULED
        resource: dict[str, Any] = {
            "resourceType": "ServiceRequest",
            "id": f"case-{case.id}",
            "status": "active" if open_ else "completed",
            "intent": "order",
            "priority": case.priority.value,
            "subject": {"reference": f"Patient/{export.patient.id}"},
            "authoredOn": _instant(case.created_at),
            "occurrenceDateTime": _instant(meeting.starts_at),
            "performer": [{"display": f"{meeting.team.name} MDT"}],
            "reasonCode": [{"text": case.reason}],
            "note": _notes(
                ("What matters to the person", case.what_matters),
                ("Questions for the MDT", case.questions),
                ("Disciplines needed", ", ".join(case.disciplines)),
                ("Added after the cut-off because", case.late_reason or ""),
                ("Triage", case.triage.label),
            ),
        }
        if case.referred_by_id:
            resource["requester"] = {"display": names.get(case.referred_by_id, "")}
        if case.key_worker_id:
            resource["performer"].append(
                {"display": f"Key worker: {names.get(case.key_worker_id, '')}"}
            )
        export.resources.append(resource)
    return len(rows)


def _case_ids(export: Export) -> sa.Select[tuple[int]]:
    return sa.select(Case.id).where(Case.patient_id == export.patient.id)


def _prep(export: Export) -> int:
    rows = list(
        db.session.scalars(
            sa.select(PrepRequest)
            .where(PrepRequest.case_id.in_(_case_ids(export)))
            .order_by(PrepRequest.id)
        )
    )
    for prep in rows:
        export.resources.append(
            {
                "resourceType": "Task",
                "id": f"prep-{prep.id}",
                "status": "completed" if prep.done else "requested",
                "intent": "order",
                "code": {"text": f"Prepare for the MDT ({prep.discipline})"},
                "focus": {"reference": f"ServiceRequest/case-{prep.case_id}"},
                "for": {"reference": f"Patient/{export.patient.id}"},
                "owner": {"display": f"{prep.user.name} ({prep.user.email})"},
                "restriction": {"period": {"end": _instant(prep.due_at)}},
                "lastModified": _instant(prep.completed_at),
                "note": _notes(
                    ("Known to the service", prep.known.label if prep.known else ""),
                    ("Involvement", prep.involvement),
                    ("Concerns", prep.concerns),
                    ("Safeguarding concern", "yes" if prep.safeguarding else ""),
                    ("Needs", prep.needs),
                ),
            }
        )
    return len(rows)


def _outcomes(export: Export) -> int:
    rows = list(
        db.session.scalars(
            sa.select(Discussion)
            .where(Discussion.case_id.in_(_case_ids(export)))
            .order_by(Discussion.id)
        )
    )
    for d in rows:
        resource: dict[str, Any] = {
            "resourceType": "CarePlan",
            "id": f"outcome-{d.id}",
            "status": "completed",
            "intent": "plan",
            "title": d.outcome.label,
            "subject": {"reference": f"Patient/{export.patient.id}"},
            "basedOn": [{"reference": f"ServiceRequest/case-{d.case_id}"}],
            "created": _instant(d.recorded_at),
            "description": d.summary,
            "note": _notes(("Recorded without quorum because", d.quorum_override or "")),
        }
        if d.recorded_by:
            resource["author"] = {"display": d.recorded_by.name}
        if d.review_date:
            resource["period"] = {"end": _day(d.review_date)}
        export.resources.append(resource)
    return len(rows)


ACTION_STATUS = {
    ActionStatus.OPEN: "requested",
    ActionStatus.DONE: "completed",
    ActionStatus.CANCELLED: "cancelled",
}


def _actions(export: Export) -> int:
    rows = list(
        db.session.scalars(
            sa.select(ActionPoint)
            .where(
                sa.or_(
                    ActionPoint.patient_id == export.patient.id,
                    ActionPoint.case_id.in_(_case_ids(export)),
                )
            )
            .options(selectinload(ActionPoint.owner))
            .order_by(ActionPoint.id)
        )
    )
    history = _history([a.id for a in rows])
    for a in rows:
        resource: dict[str, Any] = {
            "resourceType": "Task",
            "id": f"action-{a.id}",
            "status": ACTION_STATUS[a.status],
            "intent": "plan",
            "description": a.description,
            "for": {"reference": f"Patient/{export.patient.id}"},
            "authoredOn": _instant(a.created_at),
            "lastModified": _instant(a.updated_at),
            "owner": {"display": f"{a.owner.name} ({a.owner.email})"},
            "restriction": {"period": {"end": _day(a.due_date)}},
            "note": [
                *_notes(("Closing note", a.closing_note)),
                *({"time": _instant(c.at), "text": f"{c.kind}: {c.detail}"} for c in history[a.id]),
            ],
        }
        if a.case_id:
            resource["basedOn"] = [{"reference": f"ServiceRequest/case-{a.case_id}"}]
        export.resources.append(resource)
    export.tables["action_change"] = sum(len(h) for h in history.values())
    return len(rows)


def _history(action_ids: list[int]) -> dict[int, list[ActionChange]]:
    found: dict[int, list[ActionChange]] = {i: [] for i in action_ids}
    for change in db.session.scalars(
        sa.select(ActionChange)
        .where(ActionChange.action_id.in_(action_ids))
        .order_by(ActionChange.id)
    ):
        found[change.action_id].append(change)
    return found


def _holds(export: Export) -> int:
    rows = list(
        db.session.scalars(
            sa.select(LegalHold)
            .where(LegalHold.patient_id == export.patient.id)
            .options(selectinload(LegalHold.placed_by), selectinload(LegalHold.lifted_by))
            .order_by(LegalHold.id)
        )
    )
    for h in rows:
        export.legal_holds.append(
            {
                "id": h.id,
                "reason": h.reason,
                "placed_at": _instant(h.placed_at),
                "placed_by": h.placed_by.name if h.placed_by else None,
                "lifted_at": _instant(h.lifted_at),
                "lifted_by": h.lifted_by.name if h.lifted_by else None,
                "lift_reason": h.lift_reason,
            }
        )
    return len(rows)


def _referrals(export: Export) -> int:
    """Cases sent in through the FHIR API: the identifier the sending system gave each, on
    that case's ServiceRequest (read after the cases)."""
    rows = db.session.execute(
        sa.select(Referral.case_id, Referral.system, Referral.value)
        .join(Case, Case.id == Referral.case_id)
        .where(Case.patient_id == export.patient.id)
        .order_by(Referral.id)
    ).all()
    requests = {r["id"]: r for r in export.resources if r["resourceType"] == "ServiceRequest"}
    for case_id, system, value in rows:
        request = requests.get(f"case-{case_id}")
        if request is not None:
            request.setdefault("identifier", []).append({"system": system, "value": value})
    return len(rows)


def _audit(export: Export) -> int:
    rows = db.session.execute(
        sa.select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.user_id)
        .where(AuditEvent.patient_id == export.patient.id)
        .order_by(AuditEvent.at, AuditEvent.id)
    ).all()
    for event, user in rows:
        who = f"{user.name} ({user.email})" if user else "The system (not signed in)"
        export.views.append((event.at, who, event.action, event.what))
        export.resources.append(
            {
                "resourceType": "AuditEvent",
                "id": f"audit-{event.id}",
                "type": {
                    "system": "http://terminology.hl7.org/CodeSystem/audit-event-type",
                    "code": "rest",
                },
                "action": AUDIT_ACTIONS.get(event.action, "E"),
                "recorded": _instant(event.at),
                "agent": [{"who": {"display": who}, "requestor": user is not None}],
                "source": {"observer": {"display": "MDT Coordinator"}},
                "entity": [
                    {
                        "what": {"reference": f"Patient/{export.patient.id}"},
                        "description": event.what,
                    }
                ],
            }
        )
    return len(rows)


#: Every table the export reads, by table name; action_change is read with the actions.
SOURCES: dict[str, Callable[[Export], int]] = {
    "patient": _patient,
    "agenda_case": _cases,
    "prep_request": _prep,
    "discussion": _outcomes,
    "action_point": _actions,
    "legal_hold": _holds,
    "fhir_referral": _referrals,
    "audit_event": _audit,
}
#: Tables read by another table's reader: the table whose reader covers them.
READ_WITH = {"action_change": "action_point"}


def build(patient: Patient, now: datetime) -> Export:
    export = Export(patient, now)
    for table, read in SOURCES.items():
        export.tables[table] = read(export)
    return export
