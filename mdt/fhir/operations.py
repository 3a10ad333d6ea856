"""Registering API clients (administrators)."""

from __future__ import annotations

import secrets

from mdt.accounts.models import User
from mdt.extensions import db
from mdt.fhir.models import AccessToken, ApiClient


def register_client(name: str, organisation_id: int, scopes: str, jwks: str, by: User) -> ApiClient:
    client = ApiClient(
        client_id=secrets.token_urlsafe(24),
        name=name.strip(),
        organisation_id=organisation_id,
        scopes=" ".join(scopes.split()),
        jwks=jwks.strip(),
        created_by_id=by.id,
    )
    db.session.add(client)
    db.session.flush()
    return client


def deactivate(client: ApiClient) -> None:
    """No new tokens, and the ones it holds stop working now."""
    client.is_active = False
    client.bump()
    db.session.query(AccessToken).filter(AccessToken.client_pk == client.id).delete()
    db.session.flush()
