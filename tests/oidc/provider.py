"""A small OpenID provider for the tests, built from Authlib's server parts: the
authorisation-code grant with PKCE (required) and the OpenID Connect extension, its own
RSA key and JWKS, a discovery document, a userinfo endpoint and private_key_jwt client
authentication. It runs on 127.0.0.1 in a thread (werkzeug's make_server), offline.

There is no sign-in page: the authorisation endpoint signs in whoever the test put in
``provider.person`` and sends the browser straight back with a code. ``provider.tamper``
changes the next ID tokens (a wrong nonce, audience, issuer; expired; alg none) so that
the tests can check the client refuses them."""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2 import OAuth2Error
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc6749.errors import InvalidClientError
from authlib.oauth2.rfc7523 import JWTBearerClientAssertion
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet, RSAKey
from werkzeug.serving import make_server

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"


@dataclass
class Client:
    client_id: str
    redirect_uris: list[str]
    client_secret: str = ""
    #: For private_key_jwt: the client's public key.
    public_key: RSAKey | None = None

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str:
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope: str) -> str:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret: str) -> bool:
        return bool(self.client_secret) and secrets.compare_digest(
            client_secret, self.client_secret
        )

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        if self.public_key is not None:
            return method == JWTBearerClientAssertion.CLIENT_AUTH_METHOD
        return method == "client_secret_post"

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class Code:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    person: dict[str, Any]
    nonce: str | None
    code_challenge: str | None
    code_challenge_method: str | None

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return int(time.time())

    def get_acr(self) -> str | None:
        return self.person.get("acr")

    def get_amr(self) -> list[str] | None:
        return self.person.get("amr")


@dataclass
class LocalProvider:
    """The running provider: its address, keys, clients, and what the next sign-in is."""

    issuer: str = ""
    key: RSAKey = field(default_factory=lambda: RSAKey.generate_key(2048, {"kid": "op-1"}))
    clients: dict[str, Client] = field(default_factory=dict)
    codes: dict[str, Code] = field(default_factory=dict)
    #: The claims of whoever signs in next (sub, email, acr, amr, sid, ...).
    person: dict[str, Any] = field(default_factory=dict)
    #: CIS2's userinfo extras for the next sign-in (nhsid_nrbac_roles, selected_roleid).
    userinfo_extra: dict[str, Any] = field(default_factory=dict)
    #: Changes to the next ID tokens: claim -> value (None removes it); "alg": "none".
    tamper: dict[str, Any] = field(default_factory=dict)
    used_assertions: set[str] = field(default_factory=set)
    token_requests: list[dict[str, str]] = field(default_factory=list)

    def add_client(self, client: Client) -> None:
        self.clients[client.client_id] = client

    def jwks(self) -> dict[str, Any]:
        return KeySet([self.key]).as_dict(private=False)

    def id_token(self, claims: dict[str, Any]) -> str:
        if self.tamper.get("alg") == "none":
            return _unsigned(claims)
        return jwt.encode({"alg": "RS256", "kid": "op-1"}, claims, self.key)

    def logout_token(self, client_id: str, **claims: Any) -> str:
        now = int(time.time())
        body = {
            "iss": self.issuer,
            "aud": client_id,
            "iat": now,
            "jti": secrets.token_hex(8),
            "events": {BACKCHANNEL_EVENT: {}},
        } | claims
        return jwt.encode({"alg": "RS256", "kid": "op-1"}, body, self.key)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(claims: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "JWT"}).encode())
    return f"{header}.{_b64(json.dumps(claims).encode())}."


def _app(provider: LocalProvider) -> Flask:
    app = Flask("local_openid_provider")
    app.config["SECRET_KEY"] = "provider"

    def query_client(client_id: str) -> Client | None:
        return provider.clients.get(client_id)

    def save_token(token: dict[str, Any], req: Any) -> None:
        pass

    server = AuthorizationServer(app, query_client=query_client, save_token=save_token)

    class ClientAssertion(JWTBearerClientAssertion):
        def get_audiences(self) -> list[str]:
            return [provider.issuer + "/token", provider.issuer]

        def resolve_client_public_key(self, client: Client) -> RSAKey:
            assert client.public_key is not None
            return client.public_key

        def process_assertion_claims(self, assertion: str, resolve_key: Any) -> Any:
            # CIS2 asks for RS512 client assertions, which joserfc leaves out by default.
            try:
                token = jwt.decode(assertion, resolve_key, algorithms=["RS512"])
            except JoseError as error:
                raise InvalidClientError(description=error.description) from error
            self.verify_claims(token.claims)
            return token.claims

        def validate_jti(self, claims: Any, jti: str) -> bool:
            if jti in provider.used_assertions:
                return False
            provider.used_assertions.add(jti)
            return True

    server.register_client_auth_method(
        ClientAssertion.CLIENT_AUTH_METHOD, ClientAssertion(validate_jti=True)
    )

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = [
            "client_secret_post",
            ClientAssertion.CLIENT_AUTH_METHOD,
        ]

        def save_authorization_code(self, code: str, req: Any) -> None:
            provider.codes[code] = Code(
                code=code,
                client_id=req.client.client_id,
                redirect_uri=req.payload.redirect_uri,
                scope=req.payload.scope,
                person=dict(req.user),
                nonce=req.payload.data.get("nonce"),
                code_challenge=req.payload.data.get("code_challenge"),
                code_challenge_method=req.payload.data.get("code_challenge_method"),
            )

        def query_authorization_code(self, code: str, client: Client) -> Code | None:
            found = provider.codes.get(code)
            return found if found and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code: Code) -> None:
            # Used once: a replayed code is then unknown, and refused.
            provider.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code: Code) -> dict[str, Any]:
            return authorization_code.person

    class IdToken(OpenIDCode):
        def exists_nonce(self, nonce: str, req: Any) -> bool:
            return False

        def encode_id_token(self, token: dict[str, Any], req: Any) -> str:
            code: Code = req.authorization_code
            now = int(time.time())
            claims = {
                "iss": provider.issuer,
                "aud": req.client.client_id,
                "iat": now,
                "exp": now + 600,
                "auth_time": now,
                "nonce": code.nonce,
            } | {k: v for k, v in code.person.items()}
            for name, value in provider.tamper.items():
                if name == "alg":
                    continue
                if value is None:
                    claims.pop(name, None)
                else:
                    claims[name] = value
            return provider.id_token(claims)

    server.register_grant(CodeGrant, [CodeChallenge(required=True), IdToken(require_nonce=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery() -> Any:
        return jsonify(
            issuer=provider.issuer,
            authorization_endpoint=provider.issuer + "/authorize",
            token_endpoint=provider.issuer + "/token",
            userinfo_endpoint=provider.issuer + "/userinfo",
            jwks_uri=provider.issuer + "/jwks",
            response_types_supported=["code"],
            subject_types_supported=["public"],
            id_token_signing_alg_values_supported=["RS256"],
            code_challenge_methods_supported=["S256"],
            token_endpoint_auth_methods_supported=["client_secret_post", "private_key_jwt"],
            backchannel_logout_supported=True,
            backchannel_logout_session_supported=True,
        )

    @app.get("/jwks")
    def jwks() -> Any:
        return jsonify(provider.jwks())

    @app.get("/authorize")
    def authorize() -> Any:
        try:
            grant = server.get_consent_grant(end_user=dict(provider.person))
        except OAuth2Error as error:
            return server.handle_error_response(None, error)
        return server.create_authorization_response(grant=grant, grant_user=dict(provider.person))

    @app.post("/token")
    def token() -> Any:
        provider.token_requests.append(request.form.to_dict())
        return server.create_token_response()

    @app.get("/userinfo")
    def userinfo() -> Any:
        # The tests' access tokens are not kept; whoever signed in last is who asks.
        return jsonify({"sub": provider.person.get("sub")} | provider.userinfo_extra)

    return app


class RunningProvider:
    """The provider serving on 127.0.0.1 in a daemon thread until stop()."""

    def __init__(self) -> None:
        self.provider = LocalProvider()
        self._server = make_server("127.0.0.1", 0, _app(self.provider), threaded=True)
        self.provider.issuer = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
