""" "Confirm it's you" with a passkey: the password and the passkey, checked by the same
function as the second step of signing in (mdt.mfa.factors.verify_factor)."""

from __future__ import annotations

import json
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
from soft_webauthn import SoftWebauthnDevice

from mdt.accounts.models import LoginAttempt, UserSession
from mdt.mfa.models import Passkey, PasskeyChallenge
from mdt.reauth.views import PASSKEY_REFUSED, USE_PASSKEY
from tests.conftest import login
from tests.mfa.test_passkeys import (
    PASSWORD,
    add_app,
    add_passkey,
    confirm_with_passkey,
    get,
    login_with_passkey,
    token_on,
)
from tests.mfa.test_second_factor import clock as clock  # noqa: F401  (the fixture)

GUARDED = "/profile/password"
CONFIRM_URL = f"/confirm-its-you?next={GUARDED}"


@pytest.fixture
def person(app, make, clock, client):
    """Signed in with their passkey, then the window passes."""
    nurse = make.user(email="nurse.passkey@example.org")
    login(client, nurse.email)
    device = add_passkey(client)
    client.post("/logout")
    login_with_passkey(client, make, nurse, device)
    clock.shift(timedelta(minutes=app.config["SECURITY_REAUTH_MINUTES"], seconds=1))
    assert client.get(GUARDED).headers["Location"] == CONFIRM_URL
    return nurse, device


def test_the_page_offers_the_passkey_and_asks_for_no_code(client, person):
    page = client.get(CONFIRM_URL).get_data(as_text=True)
    assert "Continue with a passkey" in page and "/static/passkeys.js" in page
    assert 'name="code"' not in page and 'name="passkey"' in page
    assert "/confirm-its-you/passkey-options" in page


def test_the_password_and_the_passkey_confirm_and_return(session, client, person):
    _, device = person
    done = confirm_with_passkey(client, CONFIRM_URL, device)
    assert done.headers["Location"] == GUARDED
    assert client.get(GUARDED).status_code == 200
    session.expire_all()
    assert session.scalar(sa.select(Passkey.sign_count)) == 2  # the sign-in, then this
    assert session.scalar(sa.select(sa.func.count(PasskeyChallenge.id))) == 0  # used once


def test_a_wrong_password_with_the_right_passkey_confirms_nothing(client, person):
    _, device = person
    wrong = confirm_with_passkey(client, CONFIRM_URL, device, password="not it")
    assert wrong.status_code == 200 and "The password is wrong" in wrong.text
    assert client.get(GUARDED).headers["Location"] == CONFIRM_URL


def test_the_password_alone_is_not_enough(client, person):
    alone = client.post(
        CONFIRM_URL, data={"csrf_token": token_on(client, CONFIRM_URL), "password": PASSWORD}
    )
    assert alone.status_code == 200 and USE_PASSKEY in alone.text
    assert client.get(GUARDED).headers["Location"] == CONFIRM_URL


def test_an_answer_to_another_challenge_is_refused_and_counted(session, client, person):
    _, device = person
    token = token_on(client, CONFIRM_URL)
    options = client.post("/confirm-its-you/passkey-options", json={"csrf_token": token})
    forged = get(device, options.get_json(), challenge=b"x" * 32)
    refused = client.post(
        CONFIRM_URL,
        data={"csrf_token": token, "password": PASSWORD, "passkey": json.dumps(forged)},
    )
    assert refused.status_code == 200 and PASSKEY_REFUSED in refused.text
    assert client.get(GUARDED).headers["Location"] == CONFIRM_URL
    failures = sa.select(sa.func.count(LoginAttempt.id)).where(LoginAttempt.succeeded.is_(False))
    assert session.scalar(failures) == 1
    not_json = client.post(
        CONFIRM_URL, data={"csrf_token": token, "password": PASSWORD, "passkey": "{"}
    )
    assert not_json.status_code == 200 and PASSKEY_REFUSED in not_json.text


def test_another_persons_passkey_does_not_confirm(app, make, client, person):
    stranger = SoftWebauthnDevice()
    token = token_on(client, CONFIRM_URL)
    options = client.post("/confirm-its-you/passkey-options", json={"csrf_token": token})
    stranger.cred_init(options.get_json()["rpId"], b"someone else")
    answer = get(stranger, options.get_json())
    refused = client.post(
        CONFIRM_URL,
        data={"csrf_token": token, "password": PASSWORD, "passkey": json.dumps(answer)},
    )
    assert refused.status_code == 200 and PASSKEY_REFUSED in refused.text


def test_the_options_need_the_token_and_a_passkey(app, make, client, person):
    assert client.post("/confirm-its-you/passkey-options", json={}).status_code == 400
    nobody = app.test_client()
    login(nobody, make.user(email="no.passkey@example.org").email)
    token = token_on(nobody, "/confirm-its-you")
    answer = nobody.post("/confirm-its-you/passkey-options", json={"csrf_token": token})
    assert answer.status_code == 404


def test_with_an_app_as_well_a_code_or_the_passkey_will_do(
    app, make, session, clock, client, person
):
    nurse, device = person
    confirm_with_passkey(client, CONFIRM_URL, device)
    secret = add_app(client, make)
    clock.shift(timedelta(minutes=app.config["SECURITY_REAUTH_MINUTES"], seconds=31))
    page = client.get(CONFIRM_URL).get_data(as_text=True)
    assert 'name="code"' in page and "Continue with a passkey" in page
    code = pyotp.TOTP(secret).now()
    typed = client.post(
        CONFIRM_URL,
        data={"csrf_token": token_on(client, CONFIRM_URL), "password": PASSWORD, "code": code},
    )
    assert typed.headers["Location"] == GUARDED
    clock.shift(timedelta(minutes=app.config["SECURITY_REAUTH_MINUTES"], seconds=1))
    assert confirm_with_passkey(client, CONFIRM_URL, device).headers["Location"] == GUARDED
    session.expire_all()
    assert session.scalar(sa.select(UserSession.authenticated_at).limit(1)) is not None
