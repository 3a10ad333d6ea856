"""Back-channel logout from the provider, the normal session rules for an OIDC session, and
organisations that require their people to sign in through a provider."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from joserfc import jwt
from joserfc.jwk import RSAKey
from sqlalchemy.orm import Session

from mdt.accounts.models import UserSession
from tests.conftest import submit
from tests.factories import Factory
from tests.oidc.provider import LocalProvider
from tests.oidc.test_sign_in import CIS2_ROLE, cis2_person, cis2_user, sessions_of, sign_in

URL = "/login/oidc/cis2/backchannel-logout"


def _signed_in(client: FlaskClient, op: LocalProvider, make: Factory, **person: object):  # type: ignore[no-untyped-def]
    user = cis2_user(make, email="sam@nhs.net")
    op.person = cis2_person("sam@nhs.net", **person)
    op.userinfo_extra = CIS2_ROLE
    assert sign_in(client, "cis2").status_code == 302
    assert client.get("/profile").status_code == 200
    return user


def _post(client: FlaskClient, token: str):  # type: ignore[no-untyped-def]
    # The provider's own request: no cookies, no CSRF token.
    return client.application.test_client().post(URL, data={"logout_token": token})


def test_back_channel_logout_by_sid_ends_the_session(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = _signed_in(client, op, make)
    response = _post(client, op.logout_token("mdt-cis2", sid="cis2-session-1"))
    assert response.status_code == 200
    (record,) = sessions_of(session, user)
    session.refresh(record)
    assert record.revoked_at is not None
    assert client.get("/profile").status_code == 302  # signed out


def test_back_channel_logout_by_sub_ends_every_session_from_that_provider(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session, app
) -> None:  # type: ignore[no-untyped-def]
    user = _signed_in(client, op, make)
    second = app.test_client()
    op.person = cis2_person("sam@nhs.net", sid="cis2-session-2")
    assert sign_in(second, "cis2").status_code == 302
    assert _post(client, op.logout_token("mdt-cis2", sub="910000000001")).status_code == 200
    assert client.get("/profile").status_code == 302
    assert second.get("/profile").status_code == 302
    assert all(r.revoked_at is not None for r in sessions_of(session, user))


def test_back_channel_logout_leaves_password_sessions_alone(
    client: FlaskClient, op: LocalProvider, make: Factory, app
) -> None:  # type: ignore[no-untyped-def]
    user = _signed_in(client, op, make)
    by_password = app.test_client()
    submit(by_password, "/login", {"email": user.email, "password": Factory.PASSWORD})
    assert by_password.get("/profile").status_code == 200
    assert _post(client, op.logout_token("mdt-cis2", sub="910000000001")).status_code == 200
    assert client.get("/profile").status_code == 302
    assert by_password.get("/profile").status_code == 200


def _forged(op: LocalProvider) -> dict[str, str]:
    now = int(time.time())
    event = {"http://schemas.openid.net/event/backchannel-logout": {}}
    stranger = RSAKey.generate_key(2048, {"kid": "op-1"})
    return {
        "wrong audience": op.logout_token("mdt-entra", sid="cis2-session-1"),
        "wrong issuer": op.logout_token("mdt-cis2", sid="cis2-session-1", iss="http://x"),
        "old": op.logout_token("mdt-cis2", sid="cis2-session-1", iat=now - 3600),
        "no event": op.logout_token("mdt-cis2", sid="cis2-session-1", events={}),
        "a nonce": op.logout_token("mdt-cis2", sid="cis2-session-1", nonce="n"),
        "neither sub nor sid": op.logout_token("mdt-cis2"),
        "another key": jwt.encode(
            {"alg": "RS256", "kid": "op-1"},
            {"iss": op.issuer, "aud": "mdt-cis2", "iat": now, "sid": "cis2-session-1"}
            | {"events": event},
            stranger,
        ),
        "empty": "",
    }


@pytest.mark.parametrize(
    "case",
    [
        "wrong audience",
        "wrong issuer",
        "old",
        "no event",
        "a nonce",
        "neither sub nor sid",
        "another key",
        "empty",
    ],
)
def test_a_bad_logout_token_is_refused_and_ends_nothing(
    client: FlaskClient, op: LocalProvider, make: Factory, case: str
) -> None:
    _signed_in(client, op, make)
    assert _post(client, _forged(op)[case]).status_code == 400
    assert client.get("/profile").status_code == 200


def test_signing_out_ends_an_oidc_session_like_any_other(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    user = _signed_in(client, op, make)
    client.post("/logout")
    assert client.get("/profile").status_code == 302
    (record,) = sessions_of(session, user)
    assert record.revoked_at is not None


def test_an_oidc_session_ends_when_idle(
    client: FlaskClient, op: LocalProvider, make: Factory, app
) -> None:  # type: ignore[no-untyped-def]
    import time_machine

    app.config["SECURITY_IDLE_MINUTES"] = 60
    _signed_in(client, op, make)
    with time_machine.travel(time.time() + 61 * 60, tick=False):
        assert client.get("/profile").status_code == 302


def test_the_session_cookie_is_a_new_one_after_signing_in(
    client: FlaskClient, op: LocalProvider, make: Factory, session: Session
) -> None:
    client.get("/login")
    with client.session_transaction() as before:
        before["planted"] = "by someone else"
    _signed_in(client, op, make)
    with client.session_transaction() as after:
        assert "planted" not in after


def test_an_organisation_requiring_oidc_refuses_password_sign_in(
    client: FlaskClient, make: Factory
) -> None:
    organisation = make.organisation(require_oidc=True, oidc_providers="cis2")
    user = make.user(organisation=organisation)
    response = submit(client, "/login", {"email": user.email, "password": Factory.PASSWORD})
    assert response.status_code == 200
    assert "signs its people in with their organisation" in response.text
    assert client.get("/profile").status_code == 302


def test_an_organisation_not_requiring_oidc_still_allows_passwords(
    client: FlaskClient, make: Factory, session: Session
) -> None:
    user = make.user(organisation=make.organisation(oidc_providers="cis2"))
    response = submit(client, "/login", {"email": user.email, "password": Factory.PASSWORD})
    assert response.status_code == 302
    assert session.scalars(sa.select(UserSession)).one().oidc_provider is None
