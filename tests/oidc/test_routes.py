"""The OIDC routes' access rules with providers configured (the route inventory's app has
none, so there they are not found)."""

from __future__ import annotations

from flask.testing import FlaskClient

from tests.factories import Factory
from tests.oidc.provider import LocalProvider


def test_anyone_signed_out_may_start_a_sign_in(client: FlaskClient, op: LocalProvider) -> None:
    response = client.get("/login/oidc/entra")
    assert response.status_code == 302 and response.location.startswith(op.issuer + "/authorize")


def test_someone_signed_in_goes_to_the_dashboard_instead(
    client: FlaskClient, op: LocalProvider, make: Factory
) -> None:
    from tests.conftest import login

    login(client, make.user().email)
    response = client.get("/login/oidc/entra")
    assert response.status_code == 302 and response.location == "/dashboard"


def test_a_callback_the_app_did_not_start_is_refused(
    client: FlaskClient, op: LocalProvider
) -> None:
    response = client.get("/login/oidc/entra/callback?code=abc&state=forged")
    assert response.status_code == 403
    assert client.get("/dashboard").status_code == 302


def test_a_callback_with_the_providers_error_is_refused_clearly(
    client: FlaskClient, op: LocalProvider
) -> None:
    response = client.get("/login/oidc/entra/callback?error=access_denied&state=x")
    assert response.status_code == 403 and "you are not signed in" in response.text


def test_back_channel_logout_without_a_token_is_a_bad_request(
    client: FlaskClient, op: LocalProvider
) -> None:
    assert client.post("/login/oidc/cis2/backchannel-logout").status_code == 400


def test_a_next_page_outside_the_app_is_not_followed(
    client: FlaskClient, op: LocalProvider, make: Factory
) -> None:
    from tests.oidc.test_sign_in import CIS2_ROLE, callback, cis2_person, cis2_user, provider_answer

    cis2_user(make, email="sam@nhs.net")
    op.person = cis2_person("sam@nhs.net")
    op.userinfo_extra = CIS2_ROLE
    start = client.get("/login/oidc/cis2?next=https://evil.example/").location
    response = callback(client, provider_answer(start))
    assert response.status_code == 302 and response.location == "/dashboard"
    start_ok = client.application.test_client()
    go = start_ok.get("/login/oidc/cis2?next=/teams/").location
    assert callback(start_ok, provider_answer(go)).location == "/teams/"
