"""Administrators register API clients with a JWKS, an organisation and scopes."""

from __future__ import annotations

import json

import sqlalchemy as sa

from mdt.fhir.models import ApiClient
from tests.conftest import login, submit
from tests.fhir.conftest import key, token_response


def test_an_administrator_registers_a_client_that_then_gets_tokens(client, make, session):
    practice = make.organisation(name="Riverside Surgery", ods_code="F84012")
    admin = make.admin()
    login(client, admin.email)
    jwks = json.dumps({"keys": [key().as_dict(private=False)]})
    response = submit(
        client,
        "/api-clients/new",
        {
            "name": "Riverside GP system",
            "organisation_id": practice.id,
            "scopes": "system/*.rs system/Task.u",
            "jwks": jwks,
        },
    )
    assert response.status_code == 302, response.text
    registered = session.scalars(sa.select(ApiClient)).one()
    assert (registered.organisation_id, registered.scopes) == (
        practice.id,
        "system/*.rs system/Task.u",
    )
    assert token_response(client, registered.client_id).status_code == 200


def test_a_private_key_or_a_wrong_scope_is_refused_with_what_to_fix(client, make, session):
    practice = make.organisation()
    login(client, make.admin().email)
    private = json.dumps({"keys": [key().as_dict(private=True)]})
    response = submit(
        client,
        "/api-clients/new",
        {
            "name": "GP system",
            "organisation_id": practice.id,
            "scopes": "user/*.read",
            "jwks": private,
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "not SMART system scopes: user/*.read" in page
    assert "Paste a JWKS of public RSA or EC keys" in page
    assert "GP system" in page  # what was typed is kept
    assert session.scalars(sa.select(ApiClient)).all() == []


def test_a_deactivated_client_loses_its_tokens(client, make, register):
    api = register(make.organisation())
    token = token_response(client, api.client_id).json["access_token"]
    login(client, make.admin().email)
    from tests.conftest import csrf_token

    csrf = csrf_token(client, "/api-clients/")
    assert (
        client.post(f"/api-clients/{api.id}/deactivate", data={"csrf_token": csrf}).status_code
        == 302
    )
    answer = client.get("/fhir/R4/Appointment", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 401
