"""/login/oidc/<provider>: the authorisation-code flow (PKCE S256, state, nonce) through
Authlib's Flask client, and the provider's back-channel logout."""

from __future__ import annotations

import time
from typing import Any

from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from authlib.oauth2.rfc7523 import PrivateKeyJWT
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_user
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from werkzeug.wrappers import Response

from mdt.accounts.models import User, UserSession
from mdt.accounts.recent import signed_in_session
from mdt.core.redirects import safe_next_path
from mdt.core.throttle import limit_refusals
from mdt.core.web import external_url
from mdt.extensions import db
from mdt.mfa import operations as mfa
from mdt.mfa import pending
from mdt.oidc import operations as ops
from mdt.oidc.providers import Provider, providers_from

bp = Blueprint("oidc", __name__)

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
#: How old a logout_token may be (its iat), in seconds.
LOGOUT_TOKEN_MAX_AGE = 300
_NEXT = "oidc_next"
#: An answer from the provider that could not be verified.
NOT_CONFIRMED = (
    "{provider} did not confirm who you are, so you are not signed in. "
    "Try again from the sign-in page."
)


def init_app(app: Flask) -> None:
    providers = providers_from(app.config["OIDC_PROVIDERS"])
    oauth = OAuth(app)
    for provider in providers.values():
        _register(oauth, provider)
    app.extensions["mdt_oidc"] = (providers, oauth)
    app.context_processor(lambda: {"oidc_providers": list(providers.values())})
    app.add_template_global(_signed_in_with, "oidc_signed_in_with")
    app.register_blueprint(bp)


def _register(oauth: OAuth, provider: Provider) -> None:
    secret: str = provider.client_secret
    auth_methods = None
    if provider.private_key_file:
        with open(provider.private_key_file) as fh:
            secret = fh.read()
        auth_methods = [PrivateKeyJWT(alg="RS512")]
    oauth.register(
        provider.name,
        client_id=provider.client_id,
        client_secret=secret,
        server_metadata_url=provider.metadata_url,
        client_auth_methods=auth_methods,
        client_kwargs={
            "scope": provider.scopes,
            "code_challenge_method": "S256",
            "token_endpoint_auth_method": provider.auth_method,
            "timeout": 10,
        },
    )


def _signed_in_with() -> tuple[Provider, UserSession] | None:
    """For the profile: the provider and session record when this session came from one."""
    providers, _oauth = current_app.extensions["mdt_oidc"]
    if not providers:
        return None
    record = signed_in_session()
    if record is None or record.oidc_provider not in providers:
        return None
    return providers[record.oidc_provider], record


def _provider(name: str) -> tuple[Provider, Any]:
    providers, oauth = current_app.extensions["mdt_oidc"]
    if name not in providers:
        abort(404)
    return providers[name], oauth.create_client(name)


@bp.get("/login/oidc/<name>")
def start(name: str) -> Response:
    provider, client = _provider(name)
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    session[_NEXT] = safe_next_path(request.args.get("next"), url_for("dashboard.index"))
    # Built on BASE_URL, not the request's Host header: the provider checks it anyway.
    callback = external_url("oidc.callback", name=name)
    # Authlib makes the state, the nonce and the PKCE verifier, and keeps them in the session.
    return client.authorize_redirect(callback, **provider.authorize_params)  # type: ignore[no-any-return]


def _refused(provider: Provider, problem: ops.Refused) -> tuple[str, int]:
    if problem.title == ops.NO_ACCESS:
        page = render_template(
            "oidc/no_access.html", provider=provider, title="Ask for access", problem=problem
        )
        return page, 403
    page = render_template(
        "oidc/refused.html", provider=provider, title=problem.title, problem=problem
    )
    return page, 403


def _refused_answer(response: Response) -> bool:
    return response.status_code == 403


@bp.get("/login/oidc/<name>/callback")
# Refused callbacks (forged, replayed, tampered answers) count with failed sign-ins.
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _refused_answer)
def callback(name: str) -> str | Response | tuple[str, int]:
    provider, client = _provider(name)
    try:
        user, claims, role = _verified_identity(provider, client)
        next_path = session.get(_NEXT)
        if not ops.asserted_mfa(provider, claims) and mfa.needs_second_step(user):
            # The provider did not vouch for a second factor that this person needs (an
            # administrator, say): the app's own second step, as after a password.
            db.session.commit()
            return pending.begin(user, next_path, enrol=not mfa.has_second_factor(user))
        session.clear()  # a fresh session: nothing from before signing in carries over
        ops.start_session(user, provider, claims, role)
        db.session.commit()
    except ops.Refused as problem:
        db.session.rollback()
        return _refused(provider, problem)
    except (AuthlibBaseError, JoseError, KeyError, ValueError) as error:
        db.session.rollback()
        current_app.logger.warning("oidc %s: sign-in refused: %r", name, error)
        return _refused(provider, ops.Refused(NOT_CONFIRMED.format(provider=provider.label)))
    login_user(user)
    return redirect(safe_next_path(next_path, url_for("dashboard.index")))


def _verified_identity(
    provider: Provider, client: Any
) -> tuple[User, dict[str, Any], ops.SelectedRole | None]:
    """The account the provider's answer signs in, its ID token's claims and (CIS2) the
    role chosen; raises ops.Refused, or Authlib's or joserfc's errors for a bad answer."""
    issuer = client.load_server_metadata()["issuer"]
    # Authlib checks the signature, expiry, nonce and (from discovery) the issuer, but
    # the audience only when told to: without this, a token the provider issued to
    # another client naming us as azp was accepted.
    token = client.authorize_access_token(
        claims_options={
            "iss": {"essential": True, "values": [issuer]},
            "aud": {"essential": True, "values": [provider.client_id]},
        }
    )
    claims = dict(token.get("userinfo") or {})
    if not claims:
        raise ops.Refused(f"{provider.label} did not send an ID token.")
    ops.check_assurance(provider, claims)
    ops.check_groups(provider, claims)
    user = ops.identity_user(provider, issuer, claims)
    role = None
    if provider.profile == "cis2":
        role = ops.selected_role(claims, dict(client.userinfo(token=token)))
        ops.check_role_organisation(provider, user, role)
    return user, claims, role


@bp.post("/login/oidc/<name>/backchannel-logout")
def backchannel_logout(name: str) -> tuple[str, int, dict[str, str]]:
    """OpenID Connect Back-Channel Logout 1.0: the provider posts a signed logout_token."""
    provider, client = _provider(name)
    headers = {"Cache-Control": "no-store"}
    try:
        claims = _verified_logout_token(provider, client, request.form.get("logout_token", ""))
    except (JoseError, ValueError, KeyError) as error:
        current_app.logger.warning("oidc %s: logout_token refused: %r", name, error)
        return "", 400, headers
    ops.end_sessions_from_logout(provider, claims.get("sub"), claims.get("sid"))
    db.session.commit()
    return "", 200, headers


def _verified_logout_token(provider: Provider, client: Any, raw: str) -> dict[str, Any]:
    if not raw:
        raise ValueError("no logout_token")
    metadata = client.load_server_metadata()
    keys = KeySet.import_key_set(client.fetch_jwk_set())
    algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
    token = jwt.decode(raw, keys, algorithms=[a for a in algorithms if a != "none"])
    registry = jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": metadata["issuer"]},
        aud={"essential": True, "value": provider.client_id},
        iat={"essential": True},
    )
    registry.validate(token.claims)
    claims = dict(token.claims)
    if abs(time.time() - float(claims["iat"])) > LOGOUT_TOKEN_MAX_AGE:
        raise ValueError("logout_token too old")
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
        raise ValueError("no back-channel logout event")
    if "nonce" in claims:
        raise ValueError("a logout_token has no nonce")
    if not claims.get("sub") and not claims.get("sid"):
        raise ValueError("neither sub nor sid")
    return claims
