"""Errors as FHIR OperationOutcome resources, with the HTTP status that says what went wrong."""

from __future__ import annotations

import json

from flask import Response

from mdt.fhir.profiles import profile

FHIR_JSON = "application/fhir+json"


class FhirError(Exception):
    """Refuses the request; the view turns it into an OperationOutcome."""

    def __init__(self, status: int, code: str, text: str) -> None:
        super().__init__(text)
        self.status, self.code, self.text = status, code, text


def outcome(status: int, code: str, text: str, severity: str = "error") -> Response:
    body = {
        "resourceType": "OperationOutcome",
        "meta": {"profile": [profile("OperationOutcome")]},
        "issue": [{"severity": severity, "code": code, "diagnostics": text}],
    }
    response = fhir_response(body, status)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="fhir"'
    return response


def fhir_response(body: dict[str, object], status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype=FHIR_JSON)


def invalid(text: str) -> FhirError:
    return FhirError(422, "invalid", text)


def not_found() -> FhirError:
    return FhirError(404, "not-found", "No such resource, or not one this client may see.")


def digits(text: str, most: int) -> bool:
    """ASCII digits only, at most `most` of them: str.isdigit() also takes "²" and "٣",
    which int() then refuses."""
    return text.isascii() and text.isdigit() and len(text) <= most
