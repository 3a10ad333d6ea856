"""Requests per client a minute ([fhir] rate_limit), counted by Flask-Limiter: the app's
limiter (mdt.core.throttle), so the counts live where its other limits do (in memory, or
in Redis with [security] rate_limit_storage_uri, shared by every worker), with its exact
moving window. The key is the API client the bearer token belongs to, not the address:
systems behind one NHS gateway share an address.

Flask-Limiter checks before the blueprint's own before_request, so the token is looked up
here and kept on `g` for `authenticate` to use; a request with no valid token is not
counted (it gets 401), nor are the open endpoints (the token endpoint and metadata).
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, request

from mdt.core.throttle import limiter
from mdt.fhir import tokens
from mdt.fhir.models import AccessToken

SCOPE = "fhir-api"
OPEN_ENDPOINTS = frozenset({"fhir_api.token", "fhir_api.metadata"})


def bearer_token() -> AccessToken | None:
    """The request's unexpired token with its active client, looked up once a request."""
    if "fhir_token" not in g:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        g.fhir_token = (
            tokens.client_for_token(token.strip()) if scheme.lower() == "bearer" else None
        )
    return g.fhir_token  # type: ignore[no-any-return]


def _per_minute() -> str:
    return f"{int(current_app.config['FHIR_RATE_LIMIT'])} per minute"


def _client_key() -> str:
    row = bearer_token()
    return f"fhir-client:{row.client.client_id if row else '-'}"


def _not_counted() -> bool:
    return request.endpoint in OPEN_ENDPOINTS or bearer_token() is None


def limit_per_client(bp: Blueprint) -> None:
    """One count per client across every route of the API (a shared limit)."""
    limiter.shared_limit(_per_minute, scope=SCOPE, key_func=_client_key, exempt_when=_not_counted)(
        bp
    )
