"""Who gets a token, and what a token lets a system do."""

from __future__ import annotations

import base64
import json
import time

import pytest
import sqlalchemy as sa
import time_machine

from mdt.audit.models import AuditEvent
from mdt.fhir.models import AccessToken
from tests.fhir.conftest import assertion, bearer, key, token_response


@pytest.fixture
def practice_client(make, register):  # type: ignore[no-untyped-def]
    return register(make.organisation(ods_code="F84012"))


def test_a_signed_assertion_gets_a_five_minute_token_kept_only_as_a_hash(
    client, practice_client, session
):
    response = token_response(client, practice_client.client_id)
    assert response.status_code == 200, response.text
    assert response.json["expires_in"] == 300
    assert response.json["token_type"] == "Bearer"
    raw = response.json["access_token"]
    stored = session.scalars(sa.select(AccessToken.token_hash)).all()
    assert raw not in stored and len(stored) == 1 and len(stored[0]) == 64


def test_a_replayed_assertion_is_refused(client, practice_client):
    signed = assertion(practice_client.client_id)
    assert token_response(client, practice_client.client_id, raw=signed).status_code == 200
    again = token_response(client, practice_client.client_id, raw=signed)
    assert again.status_code in (400, 401) and again.json["error"] == "invalid_client"


def test_an_assertion_signed_with_another_key_is_refused(client, practice_client):
    response = token_response(client, practice_client.client_id, signer=key("stranger"))
    assert response.status_code in (400, 401) and response.json["error"] == "invalid_client"


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_an_unsigned_alg_none_assertion_is_refused(client, practice_client):
    cid, now = practice_client.client_id, int(time.time())
    claims = {
        "iss": cid,
        "sub": cid,
        "aud": "http://mdt.test/fhir/R4/token",
        "exp": now + 60,
        "jti": "n1",
    }
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    response = token_response(client, cid, raw=unsigned)
    assert response.status_code in (400, 401) and response.json["error"] == "invalid_client"


def test_an_assertion_for_another_audience_is_refused(client, practice_client):
    response = token_response(client, practice_client.client_id, aud="https://elsewhere/token")
    assert response.status_code in (400, 401)


def test_a_scope_not_registered_is_refused(client, make, register):
    narrow = register(make.organisation(), scopes="system/Appointment.rs")
    response = token_response(client, narrow.client_id, scope="system/Task.u")
    assert response.status_code == 400 and response.json["error"] == "invalid_scope"


def test_a_narrow_token_cannot_read_other_resources(client, make, register):
    narrow = register(make.organisation(), scopes="system/Appointment.rs")
    headers = bearer(client, narrow)
    assert client.get("/fhir/R4/Appointment", headers=headers).status_code == 200
    refused = client.get("/fhir/R4/ServiceRequest", headers=headers)
    assert refused.status_code == 403
    assert refused.json["resourceType"] == "OperationOutcome"
    assert refused.json["issue"][0]["code"] == "forbidden"


def test_no_token_or_a_made_up_one_is_401(client):
    for headers in ({}, {"Authorization": "Bearer not-a-token"}):
        response = client.get("/fhir/R4/Task", headers=headers)
        assert response.status_code == 401
        assert response.mimetype == "application/fhir+json"
        assert response.json["issue"][0]["code"] == "login"


def test_an_expired_token_is_refused(client, practice_client):
    headers = bearer(client, practice_client)
    assert client.get("/fhir/R4/Appointment", headers=headers).status_code == 200
    with time_machine.travel(time.time() + 301, tick=False):
        assert client.get("/fhir/R4/Appointment", headers=headers).status_code == 401


def test_a_deactivated_client_gets_no_token(client, make, register):
    gone = register(make.organisation(), is_active=False)
    assert token_response(client, gone.client_id).status_code in (400, 401)


def test_requests_past_the_clients_limit_get_a_429_outcome_with_retry_after(
    app, client, make, register, practice_client
):
    app.config["FHIR_RATE_LIMIT"] = 3
    headers = bearer(client, practice_client)
    other = bearer(client, register(make.organisation()))
    start = time.time()
    with time_machine.travel(start, tick=False):
        # One count per client across the API's routes, whatever the address.
        paths = ("Appointment", "Task", "HealthcareService")
        codes = [client.get(f"/fhir/R4/{p}", headers=headers).status_code for p in paths]
        refused = client.get("/fhir/R4/Task", headers=headers)
        assert codes == [200, 200, 200] and refused.status_code == 429
        assert refused.mimetype == "application/fhir+json"
        assert refused.json["resourceType"] == "OperationOutcome"
        assert refused.json["issue"][0]["code"] == "throttled"
        assert 1 <= int(refused.headers["Retry-After"]) <= 61  # the window, rounded up
        # Another client of the same address is not slowed; the open endpoints never are.
        assert client.get("/fhir/R4/Appointment", headers=other).status_code == 200
        assert client.get("/fhir/R4/metadata").status_code == 200
        # A request with no valid token is answered 401, not counted against anyone.
        assert client.get("/fhir/R4/Task").status_code == 401
    with time_machine.travel(start + 61, tick=False):
        assert client.get("/fhir/R4/Task", headers=headers).status_code == 200


def test_the_rate_limit_is_flask_limiters_keyed_by_the_client(app, client, practice_client):
    """The counts are in the app's limiter (so Redis shares them between workers)."""
    from mdt.core.throttle import limiter

    app.config["FHIR_RATE_LIMIT"] = 2
    headers = bearer(client, practice_client)
    for _ in range(2):
        assert client.get("/fhir/R4/Appointment", headers=headers).status_code == 200
    limiter.reset()
    assert client.get("/fhir/R4/Appointment", headers=headers).status_code == 200


def test_the_token_request_and_reads_are_audited_with_the_client_as_actor(
    client, make, register, session
):
    from tests.fhir.test_api import story

    world = story(make)
    api = register(world["practice"])
    headers = bearer(client, api)
    response = client.get(f"/fhir/R4/ServiceRequest/{world['case'].id}", headers=headers)
    assert response.status_code == 200, response.text
    row = session.scalars(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (row.client_id, row.user_id, row.patient_id) == (api.id, None, world["patient"].id)


def test_the_audit_log_names_the_client_that_read(client, make, register):
    from tests.conftest import login
    from tests.fhir.test_api import story

    world = story(make)
    api = register(world["practice"])
    headers = bearer(client, api)
    read = client.get(f"/fhir/R4/ServiceRequest/{world['case'].id}", headers=headers)
    assert read.status_code == 200
    login(client, make.admin().email)
    assert f"API client {api.id}" in client.get("/audit/").get_data(as_text=True)
