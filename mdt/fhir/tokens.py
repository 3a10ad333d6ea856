"""The token endpoint: OAuth 2.0 client credentials with `private_key_jwt` client
authentication (RFC 7523; SMART Backend Services; the NHS England API platform's signed-JWT
pattern), on Authlib's server parts. Tokens last five minutes and are kept as SHA-256."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import InvalidClientError, InvalidScopeError
from authlib.oauth2.rfc6749.grants import ClientCredentialsGrant
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from flask import Flask, current_app, url_for
from joserfc.jwk import KeySet
from sqlalchemy.exc import IntegrityError

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.fhir.models import AccessToken, ApiClient, UsedAssertion

log = logging.getLogger(__name__)

TOKEN_SECONDS = 300
ASSERTION_METHOD = JWTBearerClientAssertion.CLIENT_AUTH_METHOD
#: Asymmetric algorithms only: never `none`, never a shared secret (HS*), whose key would be
#: the public JWKS.
ALGORITHMS = ("RS256", "RS384", "RS512", "ES256", "ES384", "PS256", "PS384", "PS512")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def load_key_set(jwks: str) -> KeySet:
    """The client's public keys; raises ValueError on anything that is not a JWKS of
    public RSA or EC keys."""
    try:
        data = json.loads(jwks)
        keys = KeySet.import_key_set(data)
    except Exception as error:  # joserfc raises several kinds on a malformed set
        raise ValueError("not a JWKS document") from error
    if not keys.keys or any(k.key_type not in ("RSA", "EC") or k.is_private for k in keys):
        raise ValueError("a JWKS of public RSA or EC keys")
    return keys


class SignedAssertion(JWTBearerClientAssertion):
    """Authlib's RFC 7523 client authentication, with the client's registered keys, the
    algorithms above, and each assertion's `jti` remembered until it expires."""

    def get_audiences(self) -> list[str]:
        return [url_for("fhir_api.token", _external=True), _token_url()]

    def extract_assertion(self, assertion: str) -> tuple[dict[str, Any], dict[str, Any]]:
        headers, claims = super().extract_assertion(assertion)
        if headers.get("alg") not in ALGORITHMS:
            raise InvalidClientError(description="The assertion's algorithm is not accepted.")
        return headers, claims

    def resolve_client_public_key(self, client: ApiClient) -> KeySet:
        return load_key_set(client.jwks)

    def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
        claims = super().process_assertion_claims(assertion, resolve_key)
        if claims["exp"] > now_utc().timestamp() + TOKEN_SECONDS:
            raise InvalidClientError(description="The assertion must expire within 5 minutes.")
        return claims

    def validate_jti(self, claims: dict[str, Any], jti: str) -> bool:
        client = db.session.scalar(sa.select(ApiClient).where(ApiClient.client_id == claims["sub"]))
        if client is None or not isinstance(jti, str) or not 0 < len(jti) <= 255:
            return False
        expires = datetime.fromtimestamp(claims["exp"], UTC)
        try:
            with db.session.begin_nested():
                db.session.add(UsedAssertion(client_pk=client.id, jti=jti, expires_at=expires))
        except IntegrityError:
            return False
        return True


def _token_url() -> str:
    return current_app.config["BASE_URL"].rstrip("/") + "/fhir/R4/token"


class SystemCredentials(ClientCredentialsGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = [ASSERTION_METHOD]

    def validate_requested_scope(self) -> None:
        """Scopes that are not system scopes (a SMART client's `launch/patient`, `openid`)
        are left out of the grant, as RFC 6749 lets a server narrow a request; a request
        none of whose system scopes is registered is refused."""
        requested = self.request.payload.scope or ""
        if requested and not self.request.client.get_allowed_scope(requested):
            raise InvalidScopeError(description="None of these system scopes is registered.")


def _query_client(client_id: str) -> ApiClient | None:
    return db.session.scalar(
        sa.select(ApiClient).where(ApiClient.client_id == client_id, ApiClient.is_active)
    )


def _save_token(token: dict[str, Any], request: Any) -> None:
    now = now_utc()
    db.session.add(
        AccessToken(
            client_pk=request.client.id,
            token_hash=token_hash(token["access_token"]),
            scope=token.get("scope", ""),
            issued_at=now,
            expires_at=now + timedelta(seconds=token["expires_in"]),
        )
    )
    # Expired assertions and tokens are of no more use: cleared as new ones come.
    db.session.execute(sa.delete(UsedAssertion).where(UsedAssertion.expires_at < now))
    db.session.execute(sa.delete(AccessToken).where(AccessToken.expires_at < now))
    db.session.commit()
    log.info("FHIR token issued to client %s", request.client.id)


server = AuthorizationServer()


def init_app(app: Flask) -> None:
    server.init_app(app, query_client=_query_client, save_token=_save_token)
    server.register_token_generator(
        "default", BearerTokenGenerator(_new_token, expires_generator=_expires)
    )
    server.register_grant(SystemCredentials)
    server.register_client_auth_method(ASSERTION_METHOD, SignedAssertion())


def _new_token(**_kwargs: Any) -> str:
    import secrets

    return secrets.token_urlsafe(32)


def _expires(_client: Any, _grant_type: str) -> int:
    return TOKEN_SECONDS


def client_for_token(token: str) -> AccessToken | None:
    """The unexpired token by its hash, with its client (active)."""
    row = db.session.scalar(
        sa.select(AccessToken).where(AccessToken.token_hash == token_hash(token))
    )
    if row is None or row.expires_at <= now_utc() or not row.client.is_active:
        return None
    return row
