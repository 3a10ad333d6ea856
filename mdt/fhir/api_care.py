"""FHIR views of patient data: cases as ServiceRequest, preparation and actions as Task,
outcomes as CarePlan; every one audited with the client as the actor."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from flask import request
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint
from mdt.agenda import operations as agenda
from mdt.agenda.models import Case
from mdt.audit.operations import act_as_client, record
from mdt.extensions import db
from mdt.fhir import access, referrals, scopes, tasks
from mdt.fhir import resources as fhir
from mdt.fhir.blueprint import (
    audited,
    bp,
    client,
    int_id,
    json_body,
    missing,
    need,
    patients_of,
    people,
    versioned,
)
from mdt.fhir.errors import FhirError, digits, fhir_response, invalid, not_found
from mdt.fhir.profiles import api_url
from mdt.fhir.search import bad_parameter, bundle, date_filters, known_parameters, reference_id
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.minutes.models import Discussion
from mdt.prep.models import PrepRequest

# --- ServiceRequest: the cases -------------------------------------------------------------


def _cases_query() -> sa.Select[tuple[Case]]:
    return (
        sa.select(Case)
        .where(Case.id.in_(access.visible_case_ids(people())))
        .options(joinedload(Case.meeting).joinedload(Meeting.team), joinedload(Case.referred_by))
    )


@bp.get("/ServiceRequest")
def service_requests() -> Response:
    need("ServiceRequest", scopes.SEARCH)
    known_parameters(("patient", "status"))
    query = _cases_query()
    if (patient_id := reference_id("patient", "Patient")) is not None:
        query = query.where(Case.patient_id == patient_id)
    if (status := request.args.get("status")) is not None:
        query = query.join(Meeting, Meeting.id == Case.meeting_id).where(_request_status(status))
    body = bundle(query, [Case.created_at, Case.id], fhir.service_request)
    return audited(body, patients_of(body), "ServiceRequest search")


#: FHIR's request-status codes; a case is only ever active, revoked or completed.
_REQUEST_STATUSES = (
    "draft",
    "active",
    "on-hold",
    "revoked",
    "completed",
    "entered-in-error",
    "unknown",
)


def _request_status(raw: str) -> Any:
    """`status=active,completed` in SQL, as fhir.service_request derives a case's status
    from its meeting: revoked when cancelled, completed once the minutes are sent, else
    active. Filtered before paging, so pages are full and `total` counts the matches."""
    cancelled = Meeting.status == MeetingStatus.CANCELLED
    sent = Meeting.minutes_sent_at.is_not(None)
    derived = {
        "revoked": cancelled,
        "completed": sa.and_(sa.not_(cancelled), sent),
        "active": sa.and_(sa.not_(cancelled), sa.not_(sent)),
    }
    wanted = raw.split(",")
    if not all(code in _REQUEST_STATUSES for code in wanted):
        raise bad_parameter("status", f"one or more of {', '.join(_REQUEST_STATUSES)}")
    return sa.or_(sa.false(), *(derived[code] for code in wanted if code in derived))


@bp.get("/ServiceRequest/<raw_id>")
def service_request(raw_id: str) -> Response:
    need("ServiceRequest", scopes.READ)
    case = db.session.scalar(_cases_query().where(Case.id == int_id(raw_id))) or missing()
    body = fhir.service_request(case)
    return versioned(body, audited(body, [case.patient_id], f"ServiceRequest {case.id}"))


@bp.post("/ServiceRequest")
def create_service_request() -> Response:
    need("ServiceRequest", scopes.CREATE)
    referral = referrals.parse(json_body())
    condition = request.headers.get("If-None-Exist")
    if condition is not None:
        referral.identifier = _condition_identifier(condition, referral.identifier)
        found = referrals.existing(client(), referral.identifier)
        if found is not None:
            body = fhir.service_request(found)
            return versioned(body, audited(body, [found.patient_id], "ServiceRequest retried"))
    try:
        case = referrals.add_referral(client(), referral)
    except agenda.AgendaRefusal as refusal:
        db.session.rollback()
        if refusal.probed is not None:
            act_as_client(client().id)
            record("refused", [refusal.probed], "FHIR ServiceRequest not added")
            db.session.commit()
        raise FhirError(422, "business-rule", str(refusal)) from None
    body = fhir.service_request(case)
    response = audited(body, [case.patient_id], f"ServiceRequest {case.id}", status=201)
    response.headers["Location"] = api_url(f"ServiceRequest/{case.id}/_history/{case.revision}")
    return versioned(body, response)


def _condition_identifier(condition: str, given: tuple[str, str] | None) -> tuple[str, str]:
    """`If-None-Exist: identifier=system|value`, the identifier the body carries too."""
    name, _, token = condition.partition("=")
    system, bar, value = token.partition("|")
    wanted = (system, value) if bar else ("", system)
    if name != "identifier" or not wanted[1] or wanted != given:
        raise FhirError(
            400,
            "invalid",
            "If-None-Exist must be identifier=<system>|<value>, the ServiceRequest's identifier.",
        )
    return wanted


# --- Task: preparation and actions -------------------------------------------------------


def _prep_query() -> sa.Select[tuple[PrepRequest]]:
    return (
        sa.select(PrepRequest)
        .join(Case, Case.id == PrepRequest.case_id)
        .where(Case.id.in_(access.visible_case_ids(people())))
        .options(joinedload(PrepRequest.case))
    )


def _actions_query() -> sa.Select[tuple[ActionPoint]]:
    return (
        sa.select(ActionPoint)
        .where(ActionPoint.case_id.in_(access.visible_case_ids(people())))
        .options(joinedload(ActionPoint.owner), joinedload(ActionPoint.patient))
    )


_TASK_STATUS = {"requested": "open", "completed": "done", "cancelled": "cancelled"}


@bp.get("/Task")
def tasks_search() -> Response:
    need("Task", scopes.SEARCH)
    known_parameters(("code", "owner", "status", "patient", "_lastUpdated"))
    code = request.args.get("code", "action").rpartition("|")[2]
    if code == "prepare":
        body = _prep_search()
    elif code == "action":
        body = _action_search()
    else:
        raise FhirError(400, "invalid", "code: prepare or action (one kind of Task a search).")
    return audited(body, patients_of(body), f"Task search ({code})")


def _owner_filter(column: Any) -> Any:
    email = request.args.get("owner")
    if email is None:
        return sa.true()
    from mdt.accounts.operations import email_key

    return column.in_(
        sa.select(User.id).where(User.email_key == email_key(email.rpartition("|")[2]))
    )


def _action_search() -> dict[str, Any]:
    query = _actions_query().where(
        _owner_filter(ActionPoint.owner_id), *date_filters("_lastUpdated", ActionPoint.updated_at)
    )
    if status := request.args.get("status"):
        if status not in _TASK_STATUS:
            raise FhirError(400, "invalid", "status: requested, completed or cancelled.")
        query = query.where(ActionPoint.status == _TASK_STATUS[status])
    if (patient_id := reference_id("patient", "Patient")) is not None:
        query = query.where(ActionPoint.patient_id == patient_id)
    return bundle(query, [ActionPoint.updated_at, ActionPoint.id], fhir.action_task)


def _prep_search() -> dict[str, Any]:
    query = _prep_query().where(_owner_filter(PrepRequest.user_id))
    query = query.where(*date_filters("_lastUpdated", PrepRequest.completed_at))
    if status := request.args.get("status"):
        if status not in ("requested", "completed"):
            raise FhirError(400, "invalid", "status: requested or completed.")
        done = PrepRequest.completed_at.is_not(None)
        query = query.where(done if status == "completed" else sa.not_(done))
    if (patient_id := reference_id("patient", "Patient")) is not None:
        query = query.where(Case.patient_id == patient_id)
    return bundle(query, [PrepRequest.id], fhir.prep_task)


def _task(raw_id: str) -> tuple[ActionPoint | PrepRequest, dict[str, Any]]:
    kind, _, number = raw_id.partition("-")
    if kind == "action":
        action = db.session.scalar(_actions_query().where(ActionPoint.id == int_id(number)))
        if action is not None:
            return action, fhir.action_task(action)
    elif kind == "prep":
        prep = db.session.scalar(_prep_query().where(PrepRequest.id == int_id(number)))
        if prep is not None:
            return prep, fhir.prep_task(prep)
    raise not_found()


@bp.get("/Task/<raw_id>")
def task(raw_id: str) -> Response:
    need("Task", scopes.READ)
    _row, body = _task(raw_id)
    return versioned(
        body, audited(body, patients_of({"entry": [{"resource": body}]}), f"Task {raw_id}")
    )


@bp.route("/Task/<raw_id>", methods=["PUT", "PATCH"])
def update_task(raw_id: str) -> Response:
    need("Task", scopes.UPDATE)
    row, current = _task(raw_id)
    revision = _if_match()
    if request.method == "PATCH":
        changed = tasks.apply_patch(current, json_body())
    else:
        changed = json_body()
        if not isinstance(changed, dict) or changed.get("resourceType") != "Task":
            raise invalid("The body must be a Task.")
        if changed.get("id") != raw_id:
            raise invalid("The Task's id must be the one in the URL.")
    owner_id = row.owner_id if isinstance(row, ActionPoint) else row.user_id
    if owner_id not in {p.id for p in people()}:
        raise FhirError(403, "forbidden", "Only the owner's organisation closes this Task.")
    if isinstance(row, ActionPoint):
        tasks.update_action(row, revision, changed)
        body = fhir.action_task(row)
    else:
        tasks.update_prep(row, revision, changed)
        body = fhir.prep_task(row)
    record("update", patients_of({"entry": [{"resource": body}]}), f"FHIR Task {raw_id}")
    db.session.commit()
    return versioned(body, fhir_response(body))


def _if_match() -> int:
    raw = request.headers.get("If-Match")
    if raw is None:
        raise FhirError(428, "required", 'Send If-Match: W/"<versionId>" of the Task you read.')
    version = raw.strip().removeprefix("W/").strip('"')
    if not digits(version, 9):
        raise FhirError(400, "invalid", 'If-Match: W/"<versionId>".')
    return int(version)


# --- CarePlan: the outcomes of discussed cases ---------------------------------------------


def _plans_query() -> sa.Select[tuple[Discussion]]:
    return (
        sa.select(Discussion)
        .join(Meeting, Meeting.id == Discussion.meeting_id)
        .join(Case, Case.id == Discussion.case_id)
        .where(
            sa.or_(
                Discussion.case_id.in_(access.visible_case_ids(people())),
                Case.patient_id.in_(access.registered_patient_ids(client())),
            ),
            Meeting.minutes_sent_at.is_not(None),
        )
        .options(joinedload(Discussion.case))
    )


Agreed = dict[tuple[int, int], list[ActionPoint]]


def _actions_agreed(discussions: list[Discussion]) -> Agreed:
    """The actions each discussion agreed (its case's, from its meeting), in one query."""
    found: Agreed = {}
    rows = db.session.scalars(
        sa.select(ActionPoint)
        .where(ActionPoint.case_id.in_([d.case_id for d in discussions]))
        .order_by(ActionPoint.id)
    )
    for action in rows:
        found.setdefault((action.case_id or 0, action.meeting_id), []).append(action)
    return found


def _plan(discussion: Discussion, agreed: Agreed) -> dict[str, Any]:
    return fhir.care_plan(discussion, agreed.get((discussion.case_id, discussion.meeting_id), []))


def _plans_bundle(query: sa.Select[tuple[Discussion]]) -> dict[str, Any]:
    """A page of plans, their actions loaded for the whole page."""
    agreed: Agreed = {}
    return bundle(
        query,
        [Discussion.recorded_at, Discussion.id],
        lambda discussion: _plan(discussion, agreed),
        lambda discussions: agreed.update(_actions_agreed(discussions)),
    )


@bp.get("/CarePlan")
def care_plans() -> Response:
    need("CarePlan", scopes.SEARCH)
    known_parameters(("patient", "_lastUpdated"))
    query = _plans_query().where(*date_filters("_lastUpdated", Discussion.recorded_at))
    if (patient_id := reference_id("patient", "Patient")) is not None:
        query = query.where(Case.patient_id == patient_id)
    body = _plans_bundle(query)
    return audited(body, patients_of(body), "CarePlan search")


@bp.get("/CarePlan/<raw_id>")
def care_plan(raw_id: str) -> Response:
    need("CarePlan", scopes.READ)
    query = _plans_query().where(Discussion.id == int_id(raw_id))
    discussion = db.session.scalar(query) or missing()
    body = _plan(discussion, _actions_agreed([discussion]))
    return versioned(body, audited(body, [discussion.case.patient_id], f"CarePlan {raw_id}"))
