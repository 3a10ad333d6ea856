"""A session from a provider and the changes that need "Confirm it's you": this service
cannot confirm who someone is again without a password of its own, so those changes are
refused with an explanation (signing in with the password and code allows them). And the
callback's refusals are rate limited."""

from __future__ import annotations

import pyotp
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from tests.conftest import SECRET_RE, login, submit
from tests.factories import Factory
from tests.oidc.provider import LocalProvider
from tests.oidc.test_sign_in import cis2_user, entra_person, sessions_of, sign_in
from tests.test_route_inventory import LOGIN, _outcome

GUARDED = ["/profile/password", "/profile/email", "/second-factor/setup", "/confirm-its-you"]


def test_a_provider_session_is_refused_local_sign_in_changes_with_a_reason(
    app: Flask, client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = cis2_user(make, email="sw@council.gov.uk")
    op.person = entra_person("sw@council.gov.uk")
    assert sign_in(client, "entra").status_code == 302
    (record,) = sessions_of(session, user)
    assert record.authenticated_at is not None  # the provider's sign-in is an authentication
    for path in GUARDED:
        refused = client.get(path)
        assert refused.status_code == 403, path
        page = " ".join(refused.text.split())
        assert "sign out and sign in again with your email address and password" in page
    # The same person signed in with the password (and, fresh, within the window) may.
    password_browser = app.test_client()
    login(password_browser, user.email)
    assert password_browser.get("/profile/password").status_code == 200


def test_a_provider_session_may_still_sign_out_everywhere_else(
    app: Flask, client: FlaskClient, op: LocalProvider, make: Factory
) -> None:
    user = cis2_user(make, email="ot@council.gov.uk")
    password_browser = app.test_client()
    login(password_browser, user.email)
    op.person = entra_person("ot@council.gov.uk")
    assert sign_in(client, "entra").status_code == 302
    done = submit(client, "/sessions/end-others", {}, form_url="/second-factor")
    assert done.headers["Location"] == "/second-factor"
    assert _outcome(password_browser.get("/dashboard")) == LOGIN
    assert client.get("/dashboard").status_code == 200


def test_refused_callbacks_are_rate_limited(app: Flask, client: FlaskClient, op: LocalProvider):
    app.config["SECURITY_RATE_LIMIT_SIGN_IN"] = "3 per minute"
    # Answers the app did not ask for (no state in this browser's session): each refused.
    answers = [
        client.get(f"/login/oidc/entra/callback?code=forged{n}&state=guess{n}").status_code
        for n in range(4)
    ]
    assert answers == [403, 403, 403, 429]
    # The limit is by address: another browser from it is refused too.
    other = app.test_client().get("/login/oidc/entra/callback?code=x&state=y")
    assert other.status_code == 429


def test_someone_without_a_password_here_is_told_why_not_asked_for_one(
    app: Flask, client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    # An administrator with no password of this service's own, whose provider asserted no
    # second factor: the service's own second step (setting up an app) completes the sign-in.
    user = cis2_user(make, email="admin@council.gov.uk", password=None)
    user.is_admin = True
    session.commit()
    op.person = entra_person("admin@council.gov.uk", amr=["pwd"])
    assert "/second-factor/setup" in sign_in(client, "entra").headers["Location"]
    secret = SECRET_RE.search(client.get("/second-factor/setup").text)[1]
    submit(client, "/second-factor/setup", {"code": pyotp.TOTP(secret).now()})
    assert client.get("/dashboard").status_code == 200
    refused = client.get("/profile/password")
    assert refused.status_code == 403
    assert "Sign in with your password to change this" in refused.text
