"""The FHIR R4 REST API, `/fhir/R4`: thin views; the token check and the rate limit run
before each one, and every error leaves as an OperationOutcome."""

from __future__ import annotations

import json
import logging
from typing import Any

import sqlalchemy as sa
from flask import Blueprint, current_app, g, request
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint
from mdt.agenda import operations as agenda
from mdt.agenda.models import Case
from mdt.audit.operations import act_as_client, record
from mdt.extensions import db
from mdt.fhir import access, protected_time, ratelimit, referrals, scopes, tasks, tokens
from mdt.fhir import resources as fhir
from mdt.fhir.capability import capability_statement
from mdt.fhir.errors import FhirError, fhir_response, invalid, not_found, outcome
from mdt.fhir.models import ApiClient
from mdt.fhir.search import (
    bundle,
    date_filters,
    known_parameters,
    list_bundle,
    reference_id,
    without_empty_entry,
)
from mdt.meetings.models import Meeting
from mdt.minutes.models import Discussion
from mdt.organisations.models import Organisation
from mdt.prep.models import PrepRequest
from mdt.slots.models import SlotSeries
from mdt.teams.models import Membership, Team

log = logging.getLogger(__name__)
bp = Blueprint("fhir_api", __name__, url_prefix="/fhir/R4")
OPEN_ENDPOINTS = {"fhir_api.token", "fhir_api.metadata"}


# --- security -----------------------------------------------------------------------------


@bp.before_request
def authenticate() -> Response | None:
    if request.endpoint in OPEN_ENDPOINTS:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    row = tokens.client_for_token(token.strip()) if scheme.lower() == "bearer" else None
    if row is None:
        return outcome(401, "login", "A valid bearer token is needed (POST /fhir/R4/token).")
    wait = ratelimit.check(row.client.client_id, current_app.config["FHIR_RATE_LIMIT"])
    if wait is not None:
        response = outcome(429, "throttled", "Too many requests: slow down.")
        response.headers["Retry-After"] = str(wait)
        return response
    g.fhir_client, g.fhir_scope = row.client, row.scope
    act_as_client(row.client.id)
    return None


def client() -> ApiClient:
    return g.fhir_client  # type: ignore[no-any-return]


def people() -> list[User]:
    if "fhir_people" not in g:
        g.fhir_people = access.people_of(client())
    return g.fhir_people  # type: ignore[no-any-return]


def need(resource: str, interaction: str) -> None:
    if not scopes.grants(g.fhir_scope, resource, interaction):
        raise FhirError(403, "forbidden", f"The token's scope does not allow this on {resource}.")


@bp.errorhandler(FhirError)
def refused(error: FhirError) -> Response:
    db.session.rollback()
    return outcome(error.status, error.code, error.text)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    db.session.rollback()
    code = {404: "not-found", 405: "not-supported", 413: "too-costly"}.get(error.code or 0)
    return outcome(error.code or 400, code or "invalid", error.description or "Bad request")


@bp.errorhandler(Exception)
def server_error(error: Exception) -> Response:
    db.session.rollback()
    log.exception("FHIR request failed")
    return outcome(500, "exception", "Something went wrong on our side; it is logged.")


@bp.post("/token")
def token() -> Response:
    response: Response = tokens.server.create_token_response()
    if response.status_code >= 400:
        db.session.rollback()
    return response


@bp.get("/metadata")
def metadata() -> Response:
    return fhir_response(capability_statement(request.host_url.rstrip("/")))


def _json_body() -> Any:
    try:
        return json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise FhirError(400, "structure", "The body is not JSON.") from None


def _audited(
    body: dict[str, Any], patient_ids: list[int], what: str, status: int = 200
) -> Response:
    record("view" if status == 200 else "create", patient_ids, f"FHIR {what}")
    db.session.commit()
    return fhir_response(body, status)


def _versioned(body: dict[str, Any], response: Response) -> Response:
    response.headers["ETag"] = f'W/"{body["meta"]["versionId"]}"'
    if "lastUpdated" in body["meta"]:
        response.headers["Last-Modified"] = body["meta"]["lastUpdated"]
    return response


def _int_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 12:
        raise not_found()
    return int(raw)


# --- HealthcareService: the MDTs ----------------------------------------------------------


def _teams_query() -> sa.Select[tuple[Team]]:
    return sa.select(Team).options(selectinload(Team.memberships))


@bp.get("/HealthcareService")
def healthcare_services() -> Response:
    need("HealthcareService", scopes.SEARCH)
    known_parameters(("organization", "name"))
    query = _teams_query()
    if ods := request.args.get("organization"):
        members = (
            sa.select(Membership.team_id)
            .join(User, User.id == Membership.user_id)
            .join(Organisation, Organisation.id == User.organisation_id)
            .where(Organisation.ods_code == ods.rpartition("|")[2])
        )
        query = query.where(Team.id.in_(members))
    if name := request.args.get("name"):
        query = query.where(Team.name.ilike(f"%{name[:120]}%"))
    return fhir_response(bundle(query, [Team.name, Team.id], fhir.healthcare_service))


@bp.get("/HealthcareService/<raw_id>")
def healthcare_service(raw_id: str) -> Response:
    need("HealthcareService", scopes.READ)
    team = db.session.get(Team, _int_id(raw_id)) or _missing()
    body = fhir.healthcare_service(team)
    return _versioned(body, fhir_response(body))


def _missing() -> Any:
    raise not_found()


# --- Appointment: the meetings of the teams the organisation's people belong to ----------


def _meetings_query() -> sa.Select[tuple[Meeting]]:
    return (
        sa.select(Meeting)
        .where(Meeting.team_id.in_(access.member_teams(people())))
        .options(joinedload(Meeting.team), selectinload(Meeting.invitations))
    )


@bp.get("/Appointment")
def appointments() -> Response:
    need("Appointment", scopes.SEARCH)
    known_parameters(("date", "actor", "service-type", "status"))
    query = _meetings_query().where(*date_filters("date", Meeting.starts_at))
    if (team_id := _service_param("actor")) is not None:
        query = query.where(Meeting.team_id == team_id)
    if service := request.args.get("service-type"):
        query = query.join(Team, Team.id == Meeting.team_id).where(Team.name == service[:120])
    return fhir_response(bundle(query, [Meeting.starts_at, Meeting.id], fhir.appointment))


def _service_param(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.startswith("HealthcareService/"):
        raise FhirError(400, "invalid", f"{name}: give HealthcareService/<id>.")
    return reference_id(name, "HealthcareService") if raw else None


@bp.get("/Appointment/<raw_id>")
def appointment(raw_id: str) -> Response:
    need("Appointment", scopes.READ)
    meeting = db.session.scalar(_meetings_query().where(Meeting.id == _int_id(raw_id)))
    if meeting is None:
        raise not_found()
    body = fhir.appointment(meeting)
    return _versioned(body, fhir_response(body))


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
    body = bundle(query, [Case.created_at, Case.id], fhir.service_request)
    if status := request.args.get("status"):
        body = _keep(body, lambda r: r["status"] == status)
    return _audited(body, _patients_of(body), "ServiceRequest search")


def _keep(body: dict[str, Any], wanted: Any) -> dict[str, Any]:
    """Status is derived from the meeting, so it filters the page rather than the query."""
    kept = [e for e in body.get("entry", []) if wanted(e["resource"])]
    return without_empty_entry(body | {"entry": kept})


def _patients_of(body: dict[str, Any]) -> list[int]:
    ids = []
    for entry in body.get("entry", []):
        resource = entry["resource"]
        subject = resource.get("subject") or resource.get("for")
        if subject:
            ids.append(int(subject["reference"].removeprefix("Patient/")))
    return ids


@bp.get("/ServiceRequest/<raw_id>")
def service_request(raw_id: str) -> Response:
    need("ServiceRequest", scopes.READ)
    case = db.session.scalar(_cases_query().where(Case.id == _int_id(raw_id))) or _missing()
    body = fhir.service_request(case)
    return _versioned(body, _audited(body, [case.patient_id], f"ServiceRequest {case.id}"))


@bp.post("/ServiceRequest")
def create_service_request() -> Response:
    need("ServiceRequest", scopes.CREATE)
    referral = referrals.parse(_json_body())
    condition = request.headers.get("If-None-Exist")
    if condition is not None:
        referral.identifier = _condition_identifier(condition, referral.identifier)
        found = referrals.existing(client(), referral.identifier)
        if found is not None:
            body = fhir.service_request(found)
            return _versioned(body, _audited(body, [found.patient_id], "ServiceRequest retried"))
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
    response = _audited(body, [case.patient_id], f"ServiceRequest {case.id}", status=201)
    response.headers["Location"] = (
        f"{request.host_url}fhir/R4/ServiceRequest/{case.id}/_history/{case.revision}"
    )
    return _versioned(body, response)


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
    return _audited(body, _patients_of(body), f"Task search ({code})")


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
        action = db.session.scalar(_actions_query().where(ActionPoint.id == _int_id(number)))
        if action is not None:
            return action, fhir.action_task(action)
    elif kind == "prep":
        prep = db.session.scalar(_prep_query().where(PrepRequest.id == _int_id(number)))
        if prep is not None:
            return prep, fhir.prep_task(prep)
    raise not_found()


@bp.get("/Task/<raw_id>")
def task(raw_id: str) -> Response:
    need("Task", scopes.READ)
    _row, body = _task(raw_id)
    return _versioned(
        body, _audited(body, _patients_of({"entry": [{"resource": body}]}), f"Task {raw_id}")
    )


@bp.route("/Task/<raw_id>", methods=["PUT", "PATCH"])
def update_task(raw_id: str) -> Response:
    need("Task", scopes.UPDATE)
    row, current = _task(raw_id)
    revision = _if_match()
    if request.method == "PATCH":
        changed = tasks.apply_patch(current, _json_body())
    else:
        changed = _json_body()
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
    record("update", _patients_of({"entry": [{"resource": body}]}), f"FHIR Task {raw_id}")
    db.session.commit()
    return _versioned(body, fhir_response(body))


def _if_match() -> int:
    raw = request.headers.get("If-Match")
    if raw is None:
        raise FhirError(428, "required", 'Send If-Match: W/"<versionId>" of the Task you read.')
    version = raw.strip().removeprefix("W/").strip('"')
    if not version.isdigit() or len(version) > 9:
        raise FhirError(400, "invalid", 'If-Match: W/"<versionId>".')
    return int(version)


# --- CarePlan: the outcomes of discussed cases ---------------------------------------------


def _plans_query() -> sa.Select[tuple[Discussion]]:
    return (
        sa.select(Discussion)
        .join(Meeting, Meeting.id == Discussion.meeting_id)
        .join(Case, Case.id == Discussion.case_id)
        .where(
            Discussion.case_id.in_(access.visible_case_ids(people())),
            Meeting.minutes_sent_at.is_not(None),
        )
        .options(joinedload(Discussion.case))
    )


def _with_actions(discussion: Discussion) -> dict[str, Any]:
    actions = db.session.scalars(
        sa.select(ActionPoint)
        .where(
            ActionPoint.case_id == discussion.case_id,
            ActionPoint.meeting_id == discussion.meeting_id,
        )
        .order_by(ActionPoint.id)
    ).all()
    return fhir.care_plan(discussion, list(actions))


@bp.get("/CarePlan")
def care_plans() -> Response:
    need("CarePlan", scopes.SEARCH)
    known_parameters(("patient", "_lastUpdated"))
    query = _plans_query().where(*date_filters("_lastUpdated", Discussion.recorded_at))
    if (patient_id := reference_id("patient", "Patient")) is not None:
        query = query.where(Case.patient_id == patient_id)
    body = bundle(query, [Discussion.recorded_at, Discussion.id], _with_actions)
    return _audited(body, _patients_of(body), "CarePlan search")


@bp.get("/CarePlan/<raw_id>")
def care_plan(raw_id: str) -> Response:
    need("CarePlan", scopes.READ)
    query = _plans_query().where(Discussion.id == _int_id(raw_id))
    discussion = db.session.scalar(query) or _missing()
    body = _with_actions(discussion)
    return _versioned(body, _audited(body, [discussion.case.patient_id], f"CarePlan {raw_id}"))


# --- Schedule and Slot: protected time ---------------------------------------------------


def _series_query() -> sa.Select[tuple[SlotSeries]]:
    return (
        sa.select(SlotSeries)
        .where(SlotSeries.team_id.in_(access.member_teams(people())))
        .options(joinedload(SlotSeries.team), selectinload(SlotSeries.exceptions))
    )


@bp.get("/Schedule")
def schedules() -> Response:
    need("Schedule", scopes.SEARCH)
    known_parameters(("actor",))
    query = _series_query()
    if (team_id := _service_param("actor")) is not None:
        query = query.where(SlotSeries.team_id == team_id)
    return fhir_response(bundle(query, [SlotSeries.id], fhir.schedule))


@bp.get("/Schedule/<raw_id>")
def schedule(raw_id: str) -> Response:
    need("Schedule", scopes.READ)
    series = db.session.scalar(_series_query().where(SlotSeries.id == _int_id(raw_id)))
    body = fhir.schedule(series or _missing())
    return _versioned(body, fhir_response(body))


@bp.get("/Slot")
def slots() -> Response:
    need("Slot", scopes.SEARCH)
    known_parameters(("schedule", "start"))
    query = _series_query()
    if (series_id := reference_id("schedule", "Schedule")) is not None:
        query = query.where(SlotSeries.id == series_id)
    series_list = list(db.session.scalars(query.order_by(SlotSeries.id).limit(50)))
    return fhir_response(list_bundle(protected_time.slots_of(series_list)))


@bp.get("/Slot/<raw_id>")
def slot(raw_id: str) -> Response:
    need("Slot", scopes.READ)
    series_part, _, day = raw_id.partition("-")
    series = db.session.scalar(_series_query().where(SlotSeries.id == _int_id(series_part)))
    body = protected_time.one_slot(series or _missing(), day)
    return _versioned(body, fhir_response(body))
