"""An API client with its own key pair, and its tokens, obtained as a system would."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import RSAKey

from mdt.fhir.models import ApiClient

TOKEN_URL = "http://mdt.test/fhir/R4/token"
_KEYS: dict[str, RSAKey] = {}


def key(name: str = "ours") -> RSAKey:
    if name not in _KEYS:  # RSA generation is slow: once a run
        _KEYS[name] = RSAKey.generate_key(2048, parameters={"kid": name})
    return _KEYS[name]


def assertion(client_id: str, signer: RSAKey | None = None, **over: Any) -> str:
    now = int(time.time())
    claims = {
        "iss": client_id,
        "sub": client_id,
        "aud": TOKEN_URL,
        "exp": now + 240,
        "iat": now,
        "jti": uuid.uuid4().hex,
    } | over
    return jwt.encode({"alg": "RS256", "kid": "ours"}, claims, signer or key())


def add_client(session, organisation, scopes: str = "system/*.cruds", **over: Any) -> ApiClient:  # type: ignore[no-untyped-def]
    public = key().as_dict(private=False)
    client = ApiClient(
        client_id=uuid.uuid4().hex,
        name="GP system",
        organisation_id=organisation.id,
        jwks=json.dumps({"keys": [public]}),
        scopes=scopes,
        **over,
    )
    session.add(client)
    session.commit()
    return client


@pytest.fixture
def register(session):  # type: ignore[no-untyped-def]
    def _register(organisation, scopes: str = "system/*.cruds", **over: Any) -> ApiClient:
        return add_client(session, organisation, scopes, **over)

    return _register


def token_response(client, client_id: str, scope: str | None = None, **claims: Any):  # type: ignore[no-untyped-def]
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        "client_assertion": claims.pop("raw", None) or assertion(client_id, **claims),
    }
    if scope:
        data["scope"] = scope
    return client.post("/fhir/R4/token", data=data)


def bearer(client, api_client: ApiClient, scope: str | None = None) -> dict[str, str]:  # type: ignore[no-untyped-def]
    response = token_response(client, api_client.client_id, scope)
    assert response.status_code == 200, response.get_data(as_text=True)
    return {"Authorization": f"Bearer {response.json['access_token']}"}
