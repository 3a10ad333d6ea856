"""Every error under /fhir/R4 is an OperationOutcome with the status that says what went
wrong, whichever layer refuses: routing (404, 405), content negotiation (406, 415), the
token check (401) or a view; the web pages keep their own error pages."""

from __future__ import annotations

import pytest

from tests.fhir.conftest import bearer
from tests.fhir.test_api import story
from tests.fhir.validation import valid


@pytest.fixture
def world(make, register, client):  # type: ignore[no-untyped-def]
    world = story(make)
    world["headers"] = bearer(client, register(world["practice"]))
    return world


def _outcome(response, status: int, code: str) -> dict:  # type: ignore[no-untyped-def,type-arg]
    assert response.status_code == status, response.text
    assert response.mimetype == "application/fhir+json"
    body = valid(response.json)
    assert body["resourceType"] == "OperationOutcome"
    assert body["issue"][0]["code"] == code
    return body


@pytest.mark.parametrize(
    "path", ["/fhir/R4/Patient", "/fhir/R4/Nothing/here", "/fhir/R4", "/fhir/R4/", "/fhir/R4/Task/"]
)
def test_a_path_the_api_does_not_have_is_a_404_outcome(client, world, path):
    _outcome(client.get(path, headers=world["headers"]), 404, "not-found")
    _outcome(client.get(path), 404, "not-found")  # no token needed to learn that


@pytest.mark.parametrize(
    "method, path, allowed",
    [
        ("DELETE", "/fhir/R4/Task/action-1", "PATCH"),
        ("POST", "/fhir/R4/Appointment", "GET"),
        ("PUT", "/fhir/R4/ServiceRequest", "POST"),
        ("GET", "/fhir/R4/token", "POST"),
    ],
)
def test_a_method_a_path_does_not_take_is_a_405_outcome_with_allow(
    client, world, method, path, allowed
):
    response = client.open(path, method=method, headers=world["headers"], json={})
    _outcome(response, 405, "not-supported")
    assert allowed in response.headers["Allow"]


@pytest.mark.parametrize(
    "accept", ["application/fhir+xml", "text/html", "application/fhir+json; fhirVersion=5.0"]
)
def test_an_answer_the_client_cannot_take_is_a_406_outcome(client, world, accept):
    headers = world["headers"] | {"Accept": accept}
    _outcome(client.get("/fhir/R4/Appointment", headers=headers), 406, "not-supported")
    _outcome(client.get("/fhir/R4/metadata", headers={"Accept": accept}), 406, "not-supported")


def test_format_xml_is_a_406_outcome(client, world):
    response = client.get("/fhir/R4/Appointment?_format=xml", headers=world["headers"])
    _outcome(response, 406, "not-supported")


@pytest.mark.parametrize(
    "accept",
    [
        "application/fhir+json",
        "application/fhir+json; fhirVersion=4.0",
        "application/json",
        "*/*",
        "text/html, application/json;q=0.5",
    ],
)
def test_json_in_any_of_its_names_is_acceptable(client, world, accept):
    headers = world["headers"] | {"Accept": accept}
    assert client.get("/fhir/R4/Appointment", headers=headers).status_code == 200
    ok = client.get("/fhir/R4/Appointment?_format=json", headers=world["headers"])
    assert ok.status_code == 200


@pytest.mark.parametrize(
    "method, path, content_type",
    [
        ("POST", "/fhir/R4/ServiceRequest", "application/xml"),
        ("POST", "/fhir/R4/ServiceRequest", "application/x-www-form-urlencoded"),
        ("POST", "/fhir/R4/ServiceRequest", None),
        ("PUT", "/fhir/R4/Task/action-{action}", "text/plain"),
        ("PATCH", "/fhir/R4/Task/action-{action}", "application/fhir+json"),
    ],
)
def test_a_body_of_the_wrong_type_is_a_415_outcome_and_changes_nothing(
    client, world, session, method, path, content_type
):
    action = world["action"]
    headers = world["headers"] | {"If-Match": f'W/"{action.revision}"'}
    if content_type:
        headers["Content-Type"] = content_type
    url = path.format(action=action.id)
    _outcome(client.open(url, method=method, data="{}", headers=headers), 415, "not-supported")
    session.refresh(action)
    assert action.is_open


def test_the_web_pages_keep_their_own_404_page(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404 and response.mimetype == "text/html"


def test_no_token_is_a_401_outcome(client):
    body = _outcome(client.get("/fhir/R4/Task"), 401, "login")
    assert "token" in body["issue"][0]["diagnostics"]
