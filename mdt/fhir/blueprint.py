"""The FHIR R4 REST API, `/fhir/R4`: the rate limit (mdt.fhir.ratelimit), the token check
and content negotiation run before each view, every error under /fhir/R4 leaves as an
OperationOutcome (routing's 404 and 405 too), and the helpers the views share. The views
are in api_services (the MDTs, meetings, protected time) and api_care (cases, tasks, plans)."""

from __future__ import annotations

import json
import logging
from typing import Any

from flask import Blueprint, Flask, g, request
from werkzeug.exceptions import HTTPException, TooManyRequests
from werkzeug.http import parse_options_header
from werkzeug.wrappers import Response

from mdt.accounts.models import User
from mdt.audit.operations import act_as_client, record
from mdt.core import throttle, web
from mdt.extensions import db
from mdt.fhir import access, ratelimit, scopes, tokens
from mdt.fhir.capability import capability_statement
from mdt.fhir.errors import FhirError, digits, fhir_response, not_found, outcome
from mdt.fhir.models import ApiClient
from mdt.fhir.search import reference_id

log = logging.getLogger(__name__)
bp = Blueprint("fhir_api", __name__, url_prefix="/fhir/R4")
ratelimit.limit_per_client(bp)

#: What we answer in, and what a body may come as, by method.
JSON_TYPES = ("application/fhir+json", "application/json")
_FORMATS = {"json", *JSON_TYPES}
BODY_TYPES = {"POST": JSON_TYPES, "PUT": JSON_TYPES, "PATCH": ("application/json-patch+json",)}
#: R4 as the `fhirVersion` parameter of a media type names it.
_R4 = ("4.0", "4.0.1")


# --- content types and security ------------------------------------------------------------


def _answer_acceptable() -> bool:
    """`_format`, else the Accept header, allows JSON (any `fhirVersion` given must be R4)."""
    if (fmt := request.args.get("_format")) is not None:
        return fmt in _FORMATS
    if not request.headers.get("Accept"):
        return True
    for value, quality in request.accept_mimetypes:
        kind, params = parse_options_header(value)
        r4 = params.get("fhirversion", "4.0") in _R4
        if quality > 0 and r4 and kind in ("*/*", "application/*", *JSON_TYPES):
            return True
    return False


@bp.before_request
def authenticate() -> Response | None:
    if request.endpoint in ratelimit.OPEN_ENDPOINTS:
        return None
    row = ratelimit.bearer_token()  # looked up (and counted) by the rate limit before this
    if row is None:
        return outcome(401, "login", "A valid bearer token is needed (POST /fhir/R4/token).")
    g.fhir_client, g.fhir_scope = row.client, row.scope
    act_as_client(row.client.id)
    return None


@bp.before_request
def negotiate() -> Response | None:
    """After the token check: a system without a token learns nothing but that."""
    if request.endpoint == "fhir_api.token":
        return None  # OAuth's own: a form in, JSON out
    if not _answer_acceptable():
        return outcome(406, "not-supported", "Answers are application/fhir+json (FHIR 4.0) only.")
    wanted = BODY_TYPES.get(request.method)
    if wanted is not None and request.mimetype not in wanted:
        return outcome(415, "not-supported", f"Send the body as {' or '.join(wanted)}.")
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
    response = outcome(error.code or 400, code or "invalid", error.description or "Bad request")
    if isinstance(allowed := getattr(error, "valid_methods", None), list | tuple):
        response.headers["Allow"] = ", ".join(allowed)
    return response


@bp.errorhandler(TooManyRequests)
def throttled(_error: TooManyRequests) -> Response:
    """Past the client's limit (the app's own 429 handler would send an HTML page)."""
    response = outcome(429, "throttled", "Too many requests from this client: slow down.")
    response.headers["Retry-After"] = str(throttle.retry_after_seconds())
    return response


def _routing_error(error: HTTPException) -> Response | tuple[str, int]:
    """A path under /fhir/R4 that no route has (404), or a method it does not take (405),
    fails before any blueprint is chosen, so the app's handlers would answer with a web
    page: under the API the answer is an OperationOutcome too."""
    if request.path == bp.url_prefix or request.path.startswith(f"{bp.url_prefix}/"):
        return http_error(error)
    return web.render_error(error)


@bp.record_once
def _answer_routing_errors(state: Any) -> None:
    app: Flask = state.app
    app.register_error_handler(404, _routing_error)
    app.register_error_handler(405, _routing_error)


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
    return fhir_response(capability_statement())


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
    if not digits(raw, 12):
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
