"""The FHIR R4 REST API, `/fhir/R4`: the token check and the rate limit run before each
view, every error leaves as an OperationOutcome, and the helpers the views share. The views
are in api_services (the MDTs, meetings, protected time) and api_care (cases, tasks, plans)."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, current_app, g, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from mdt.accounts.models import User
from mdt.audit.operations import act_as_client, record
from mdt.extensions import db
from mdt.fhir import access, ratelimit, scopes, tokens
from mdt.fhir.capability import capability_statement
from mdt.fhir.errors import FhirError, fhir_response, not_found, outcome
from mdt.fhir.models import ApiClient
from mdt.fhir.search import reference_id

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


def json_body() -> Any:
    try:
        return json.loads(request.get_data(as_text=True) or "null")
    except ValueError:
        raise FhirError(400, "structure", "The body is not JSON.") from None


def audited(body: dict[str, Any], patient_ids: list[int], what: str, status: int = 200) -> Response:
    record("view" if status == 200 else "create", patient_ids, f"FHIR {what}")
    db.session.commit()
    return fhir_response(body, status)


def versioned(body: dict[str, Any], response: Response) -> Response:
    response.headers["ETag"] = f'W/"{body["meta"]["versionId"]}"'
    if "lastUpdated" in body["meta"]:
        response.headers["Last-Modified"] = body["meta"]["lastUpdated"]
    return response


def int_id(raw: str) -> int:
    if not raw.isdigit() or len(raw) > 12:
        raise not_found()
    return int(raw)


def missing() -> Any:
    raise not_found()


def service_param(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return None
    if not raw.startswith("HealthcareService/"):
        raise FhirError(400, "invalid", f"{name}: give HealthcareService/<id>.")
    return reference_id(name, "HealthcareService") if raw else None


def patients_of(body: dict[str, Any]) -> list[int]:
    ids = []
    for entry in body.get("entry", []):
        resource = entry["resource"]
        subject = resource.get("subject") or resource.get("for")
        if subject:
            ids.append(int(subject["reference"].removeprefix("Patient/")))
    return ids
