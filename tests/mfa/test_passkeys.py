"""Passkeys as a second factor, with a software authenticator (soft-webauthn's
SoftWebauthnDevice) making real attestations and assertions (P-256 keys, signatures over the
challenge our endpoints hand out) against the real endpoints: adding one, signing in with it,
and each way an answer must be refused."""

from __future__ import annotations

import base64
import json
import os
import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine
from soft_webauthn import SoftWebauthnDevice

from mdt.accounts.models import SecurityEvent
from mdt.core.time import now_utc
from mdt.mfa.factors import LAST_FACTOR
from mdt.mfa.models import Passkey, PasskeyChallenge, TotpFactor
from mdt.mfa.passkey_views import NEEDS_SCRIPT
from tests.conftest import CSRF_RE, SECRET_RE, login, submit
from tests.factories import Factory
from tests.mfa.test_second_factor import clock as clock  # noqa: F401  (the fixture)
from tests.queries import count_queries
from tests.test_route_inventory import LOGIN, _outcome

#: The defaults of [webauthn] (config.example.toml): `make run` at http://localhost:5000.
ORIGIN = "http://localhost:5000"
PASSWORD = Factory.PASSWORD
DATA_TOKEN_RE = re.compile(r'data-csrf-token="([^"]+)"')


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def token_on(client, url):
    page = client.get(url).get_data(as_text=True)
    match = CSRF_RE.search(page) or DATA_TOKEN_RE.search(page)
    assert match, f"no CSRF token on {url}"
    return match[1]


# --- what the browser does: options in, the authenticator's answer out as JSON ----------------


def create(device, options):
    """navigator.credentials.create(), as passkeys.js calls it."""
    public_key = dict(options)
    public_key["challenge"] = unb64(options["challenge"])
    public_key["user"] = {**options["user"], "id": unb64(options["user"]["id"])}
    made = device.create({"publicKey": public_key}, ORIGIN)
    return {
        "id": b64(made["rawId"]),
        "rawId": b64(made["rawId"]),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64(made["response"]["clientDataJSON"]),
            "attestationObject": b64(made["response"]["attestationObject"]),
            "transports": ["internal"],
        },
    }


def get(device, options, challenge=None):
    """navigator.credentials.get(); `challenge` answers another one than the options'."""
    public_key = {**options, "challenge": challenge or unb64(options["challenge"])}
    made = device.get({"publicKey": public_key}, ORIGIN)
    return {
        "id": b64(made["rawId"]),
        "rawId": b64(made["rawId"]),
        "type": "public-key",
        "response": {
            "clientDataJSON": b64(made["response"]["clientDataJSON"]),
            "authenticatorData": b64(made["response"]["authenticatorData"]),
            "signature": b64(made["response"]["signature"]),
            "userHandle": b64(made["response"]["userHandle"]),
        },
    }


def registration_options(client, token, name="Work laptop"):
    """The "Add a passkey" form's fields (named passkey-*), posted by its script from the
    page (whose address the browser sends as the Referer)."""
    fields = {"passkey-csrf_token": token, "passkey-name": name}
    return client.post(
        "/second-factor/passkeys/options",
        json=fields,
        headers={"Referer": "http://localhost/second-factor"},
    )


def register(client, token, name, credential):
    fields = {"passkey-csrf_token": token, "passkey-name": name, "credential": credential}
    return client.post("/second-factor/passkeys", json=fields)


def add_passkey(client, name="Work laptop", device=None):
    """Signed in: the "Add a passkey" form with its script. Returns the device."""
    device = device or SoftWebauthnDevice()
    token = token_on(client, "/second-factor")
    options = registration_options(client, token, name)
    assert options.status_code == 200, options.get_data(as_text=True)
    done = register(client, token, name, create(device, options.get_json()))
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json() == {"next": "/second-factor"}
    return device


def sign_in_options(client):
    token = token_on(client, "/second-factor/verify")
    response = client.post("/second-factor/passkeys/sign-in/options", json={"csrf_token": token})
    assert response.status_code == 200, response.get_data(as_text=True)
    return token, response.get_json()


def answer(client, token, assertion):
    return client.post(
        "/second-factor/passkeys/sign-in", json={"csrf_token": token, "credential": assertion}
    )


def password_step(client, email, password):
    response = submit(client, "/login", {"email": email, "password": password})
    assert response.headers["Location"] == "/second-factor/verify"


def security_events(session, user_id):
    """The person's passkey events (the account's other sign-in events are there too)."""
    session.expire_all()
    return session.scalars(
        sa.select(SecurityEvent)
        .where(SecurityEvent.user_id == user_id, SecurityEvent.action.like("passkey %"))
        .order_by(SecurityEvent.id)
    ).all()


@pytest.fixture
def nurse(make):
    return make.user(email="nurse@example.org", name="Nia Nurse")


@pytest.fixture
def nurse_with_passkey(client, make, nurse):
    login(client, nurse.email)
    device = add_passkey(client)
    client.post("/logout")
    return nurse, device


# --- the stories -----------------------------------------------------------------------------


def test_a_person_adds_a_passkey_and_signs_in_with_it(app, make, session, client, nurse):
    login(client, nurse.email)
    device = add_passkey(client, name="Work laptop")
    page = client.get("/second-factor").get_data(as_text=True)
    assert "Your passkey ‘Work laptop’ is added." in page
    assert "Work laptop" in page and "Not used yet" in page
    stored = session.scalars(sa.select(Passkey).where(Passkey.user_id == nurse.id)).one()
    assert stored.transports == "internal"
    client.post("/logout")

    password_step(client, nurse.email, make.PASSWORD)
    assert _outcome(client.get("/dashboard")) == LOGIN  # the password alone is not enough
    verify = client.get("/second-factor/verify").get_data(as_text=True)
    assert "Use a passkey" in verify and "/static/passkeys.js" in verify
    token, options = sign_in_options(client)
    assert [c["id"] for c in options["allowCredentials"]] == [stored.credential_id]
    assert options["userVerification"] == "preferred" and options["rpId"] == "localhost"
    done = answer(client, token, get(device, options))
    assert done.status_code == 200, done.get_data(as_text=True)
    assert done.get_json() == {"next": "/dashboard"}
    assert client.get("/dashboard").status_code == 200

    session.expire_all()
    stored = session.get(Passkey, stored.id)
    assert stored.sign_count == 1 and stored.last_used_at is not None
    assert "Not used yet" not in client.get("/second-factor").get_data(as_text=True)
    rows = security_events(session, nurse.id)
    assert [(r.action, r.actor_id, r.detail) for r in rows] == [
        ("passkey added", nurse.id, f"passkey {stored.id} registered as a second factor"),
        ("passkey used", nurse.id, f"passkey {stored.id} used as a second factor"),
    ]
    assert all(stored.credential_id not in r.detail for r in rows)


def test_the_registration_options_ask_for_no_attestation_and_exclude_own_passkeys(
    app, client, nurse
):
    login(client, nurse.email)
    add_passkey(client)
    token = token_on(client, "/second-factor")
    options = registration_options(client, token).get_json()
    assert options["attestation"] == "none"
    assert options["authenticatorSelection"]["userVerification"] == "preferred"
    assert options["rp"] == {"id": "localhost", "name": "MDT Coordinator"}
    assert len(options["excludeCredentials"]) == 1
    assert nurse.email not in options["user"]["id"]  # the handle names nobody


def test_adding_a_passkey_asks_to_confirm_its_you_after_the_window(
    app, session, clock, client, nurse
):
    """Someone at an unlocked screen cannot add their own passkey: past the window the
    script's request is sent to "Confirm it's you" (which passkeys.js follows), and no
    challenge is made; the password again, and the same request works."""
    login(client, nurse.email)
    token = token_on(client, "/second-factor")
    clock.shift(timedelta(minutes=app.config["SECURITY_REAUTH_MINUTES"], seconds=1))
    asked = registration_options(client, token)
    assert asked.status_code == 302
    assert asked.headers["Location"] == "/confirm-its-you?next=/second-factor"
    assert session.scalar(sa.select(sa.func.count(PasskeyChallenge.id))) == 0
    posted = register(client, token, "Work laptop", {"id": "x"})
    assert posted.headers["Location"].startswith("/confirm-its-you")
    confirmed = submit(client, asked.headers["Location"], {"password": PASSWORD})
    assert confirmed.headers["Location"] == "/second-factor"
    assert registration_options(client, token).status_code == 200


def test_an_answer_to_another_challenge_is_refused(app, make, session, client, nurse_with_passkey):
    nurse, device = nurse_with_passkey
    password_step(client, nurse.email, make.PASSWORD)
    token, options = sign_in_options(client)
    refused = answer(client, token, get(device, options, challenge=os.urandom(32)))
    assert refused.status_code == 400
    assert refused.get_json() == {"problem": "Your passkey could not be checked. Try again."}
    assert _outcome(client.get("/dashboard")) == LOGIN
    assert security_events(session, nurse.id)[-1].action == "passkey refused"


def test_a_replayed_assertion_is_refused(app, make, session, client, nurse_with_passkey):
    nurse, device = nurse_with_passkey
    password_step(client, nurse.email, make.PASSWORD)
    token, options = sign_in_options(client)
    seen = get(device, options)
    assert answer(client, token, seen).status_code == 200
    client.post("/logout")
    # Someone who copied that answer signs in with the password and replays it: to the
    # challenge it answered (used up), and to a new one.
    password_step(client, nurse.email, make.PASSWORD)
    token = token_on(client, "/second-factor/verify")
    again = answer(client, token, seen)
    assert again.status_code == 400
    assert "already used" in again.get_json()["problem"]
    token, _ = sign_in_options(client)
    again = answer(client, token, seen)
    assert again.status_code == 400
    assert _outcome(client.get("/dashboard")) == LOGIN
    refusals = [r.action for r in security_events(session, nurse.id)][-2:]
    assert refusals == ["passkey refused", "passkey refused"]


def test_the_challenge_is_used_once_even_when_the_answer_was_wrong(
    app, make, session, client, nurse_with_passkey
):
    nurse, device = nurse_with_passkey
    password_step(client, nurse.email, make.PASSWORD)
    token, options = sign_in_options(client)
    assert answer(client, token, {"rawId": "nonsense"}).status_code == 400
    late = answer(client, token, get(device, options))
    assert late.status_code == 400
    assert session.scalar(sa.select(sa.func.count(PasskeyChallenge.id))) == 0


def test_a_challenge_expires_after_three_minutes(app, make, client, nurse_with_passkey):
    nurse, device = nurse_with_passkey
    password_step(client, nurse.email, make.PASSWORD)
    token, options = sign_in_options(client)
    with time_machine.travel(now_utc() + timedelta(minutes=3, seconds=1)):
        late = answer(client, token, get(device, options))
    assert late.status_code == 400
    assert late.get_json() == {"problem": "That passkey request has expired. Try again."}


def test_the_passkey_of_another_person_is_refused(app, make, session, client, nurse_with_passkey):
    nurse, nurse_device = nurse_with_passkey
    social_worker = make.user(email="sw@example.org")
    other = app.test_client()
    login(other, social_worker.email)
    add_passkey(other)
    other.post("/logout")
    password_step(other, social_worker.email, make.PASSWORD)
    token, options = sign_in_options(other)
    # The nurse's device answers the social worker's challenge, with a valid signature.
    borrowed = answer(other, token, get(nurse_device, options))
    assert borrowed.status_code == 400
    assert borrowed.get_json() == {"problem": "That passkey is not registered to your account."}
    assert _outcome(other.get("/dashboard")) == LOGIN
    assert security_events(session, social_worker.id)[-1].detail == (
        "passkey sign-in refused: not one of this person's passkeys"
    )


def test_a_signature_counter_going_backwards_is_refused_and_audited(
    app, make, session, client, nurse_with_passkey
):
    nurse, device = nurse_with_passkey
    password_step(client, nurse.email, make.PASSWORD)
    token, options = sign_in_options(client)
    assert answer(client, token, get(device, options)).status_code == 200  # counter 1
    client.post("/logout")
    device.sign_count = 0  # a copy of the key, made before that use, says 1 again
    password_step(client, nurse.email, make.PASSWORD)
    token, options = sign_in_options(client)
    cloned = answer(client, token, get(device, options))
    assert cloned.status_code == 400
    assert "cannot be trusted" in cloned.get_json()["problem"]
    assert _outcome(client.get("/dashboard")) == LOGIN
    last = security_events(session, nurse.id)[-1]
    assert last.action == "passkey refused" and "counter went backwards (1 to 1)" in last.detail
    assert session.scalar(sa.select(Passkey.sign_count)) == 1  # not moved by the refusal


def test_wrong_passkey_answers_lock_the_account_as_wrong_passwords_do(
    app, make, client, nurse_with_passkey
):
    nurse, device = nurse_with_passkey
    app.config["SECURITY_LOGIN_MAX_FAILURES"] = 3
    password_step(client, nurse.email, make.PASSWORD)
    for _ in range(3):
        token, options = sign_in_options(client)
        assert answer(client, token, get(device, options, challenge=b"x" * 32)).status_code == 400
    token, options = sign_in_options(client)
    locked = answer(client, token, get(device, options))
    assert locked.status_code == 400
    assert "Too many failed attempts" in locked.get_json()["problem"]


def test_a_passkey_counts_as_the_required_second_factor(app, make, client, nurse_with_passkey):
    nurse, device = nurse_with_passkey
    app.config["SECURITY_REQUIRE_SECOND_FACTOR"] = True
    password_step(client, nurse.email, make.PASSWORD)  # not sent to set up an app
    assert client.get("/second-factor/setup").headers["Location"] == "/second-factor/verify"
    page = client.get("/second-factor/verify").get_data(as_text=True)
    assert "Use a passkey" in page and 'name="code"' not in page  # no app: no code to type
    token, options = sign_in_options(client)
    assert answer(client, token, get(device, options)).status_code == 200
    assert client.get("/dashboard").status_code == 200


def test_someone_with_a_passkey_may_still_set_up_an_app(app, make, client, nurse_with_passkey):
    nurse, device = nurse_with_passkey
    password_step(client, nurse.email, make.PASSWORD)
    token, options = sign_in_options(client)
    answer(client, token, get(device, options))
    page = client.get("/second-factor/setup").get_data(as_text=True)
    assert SECRET_RE.search(page)


def test_removing_a_passkey_asks_to_confirm_its_you_after_the_window(
    app, make, session, clock, client, nurse_with_passkey
):
    """Past the window, the page and its form send the person to "Confirm it's you" and
    nothing is removed; confirmed with the password and a second passkey, it goes, and
    "Sign me out everywhere else" ends the other session."""
    nurse, device = nurse_with_passkey
    login_with_passkey(client, make, nurse, device)
    spare = add_passkey(client, name="Spare key")
    other = app.test_client()
    login_with_passkey(other, make, nurse, device)
    passkey_id = session.scalar(sa.select(Passkey.id).where(Passkey.name == "Work laptop"))
    url = f"/second-factor/passkeys/{passkey_id}/remove"
    token = token_on(client, url)
    clock.shift(timedelta(minutes=app.config["SECURITY_REAUTH_MINUTES"], seconds=1))
    asked = client.get(url)
    assert asked.headers["Location"] == f"/confirm-its-you?next={url}"
    late = client.post(
        url, data={"csrf_token": token}, headers={"Referer": f"http://localhost{url}"}
    )
    assert late.headers["Location"] == f"/confirm-its-you?next={url}"
    assert session.scalar(sa.select(sa.func.count(Passkey.id))) == 2
    assert confirm_with_passkey(client, asked.headers["Location"], spare).headers["Location"] == url
    page = client.get(url).get_data(as_text=True)
    assert "Sign me out everywhere else" in page
    removed = submit(client, url, {"end_other_sessions": "y"})
    assert removed.headers["Location"] == "/second-factor"
    assert "Your passkey ‘Work laptop’ is removed." in client.get("/second-factor").text
    assert session.scalar(sa.select(Passkey.name)) == "Spare key"
    assert security_events(session, nurse.id)[-1].detail == f"passkey {passkey_id} removed"
    assert _outcome(other.get("/dashboard")) == LOGIN
    assert client.get("/dashboard").status_code == 200


def test_the_last_factor_cannot_be_removed_when_one_is_required(
    app, make, session, client, nurse_with_passkey
):
    nurse, device = nurse_with_passkey
    app.config["SECURITY_REQUIRE_SECOND_FACTOR"] = True
    login_with_passkey(client, make, nurse, device)
    passkey_id = session.scalar(sa.select(Passkey.id))
    url = f"/second-factor/passkeys/{passkey_id}/remove"
    assert LAST_FACTOR in client.get(url).get_data(as_text=True)
    token = token_on(client, "/second-factor")
    refused = client.post(url, data={"csrf_token": token})
    assert LAST_FACTOR in refused.get_data(as_text=True)
    assert session.scalar(sa.select(sa.func.count(Passkey.id))) == 1
    # With an authenticator app as well, either may go, but then not the other.
    add_app(client, make)
    assert submit(client, url, {}).status_code == 302
    refused = submit(client, "/second-factor/remove", {}, form_url="/second-factor")
    assert LAST_FACTOR in refused.get_data(as_text=True)
    session.expire_all()
    assert session.scalar(sa.select(sa.func.count(TotpFactor.id))) == 1


def test_another_persons_passkey_cannot_be_removed(app, make, session, client, nurse_with_passkey):
    nurse, _ = nurse_with_passkey
    passkey_id = session.scalar(sa.select(Passkey.id))
    login(client, make.user(email="gp@example.org").email)
    assert client.get(f"/second-factor/passkeys/{passkey_id}/remove").status_code == 404
    token = token_on(client, "/second-factor")
    response = client.post(
        f"/second-factor/passkeys/{passkey_id}/remove",
        data={"csrf_token": token},
    )
    assert response.status_code == 404
    assert session.scalar(sa.select(sa.func.count(Passkey.id))) == 1


def test_adding_a_passkey_without_javascript_says_what_is_needed(app, client, nurse):
    login(client, nurse.email)
    response = submit(
        client,
        "/second-factor/passkeys",
        {"passkey-name": "Phone"},
        "/second-factor",
        prefix="passkey-",
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert NEEDS_SCRIPT in page and 'value="Phone"' in page  # what was typed is kept


def test_a_registration_for_another_site_or_without_a_name_is_refused(app, session, client, nurse):
    login(client, nurse.email)
    token = token_on(client, "/second-factor")
    options = registration_options(client, token).get_json()
    nameless = register(client, token, " ", create(SoftWebauthnDevice(), options))
    assert nameless.get_json() == {"problem": "Enter a name for this passkey"}
    options = registration_options(client, token).get_json()
    phished = create(SoftWebauthnDevice(), {**options, "rp": {"id": "evil.example", "name": "x"}})
    refused = register(client, token, "Phone", phished)
    assert refused.status_code == 400
    assert session.scalar(sa.select(sa.func.count(Passkey.id))) == 0
    no_token = client.post("/second-factor/passkeys/options", json={})
    assert no_token.status_code == 400 and "problem" in no_token.get_json()


def test_a_passkey_name_is_shown_as_text(app, session, client, nurse):
    login(client, nurse.email)
    add_passkey(client, name="<b>Mine</b>")
    passkey_id = session.scalar(sa.select(Passkey.id))
    for url in ("/second-factor", f"/second-factor/passkeys/{passkey_id}/remove"):
        page = client.get(url).get_data(as_text=True)
        assert "<b>Mine</b>" not in page and "&lt;b&gt;Mine&lt;/b&gt;" in page


def test_the_sign_in_endpoints_need_the_password_step_first(app, client, nurse_with_passkey):
    token = token_on(client, "/login")
    for path in ("/second-factor/passkeys/sign-in/options", "/second-factor/passkeys/sign-in"):
        assert _outcome(client.post(path, json={"csrf_token": token})) == LOGIN


def test_the_second_factor_page_runs_the_same_queries_for_one_passkey_or_five(app, client, nurse):
    login(client, nurse.email)
    counts = []
    for _ in range(2):
        add_passkey(client)
        with count_queries(app) as statements:
            assert client.get("/second-factor").status_code == 200
        counts.append(len(statements))
        for _ in range(3):
            add_passkey(client)
    assert counts[0] == counts[1], counts


# --- helpers that need the stories' state ------------------------------------------------------


def login_with_passkey(client, make, person, device):
    password_step(client, person.email, make.PASSWORD)
    token, options = sign_in_options(client)
    assert answer(client, token, get(device, options)).status_code == 200


def confirm_with_passkey(client, confirm_url, device, password=PASSWORD):
    """The "Confirm it's you" page with its script: the options from its own route, the
    passkey's answer in the form's hidden field, posted with the password."""
    token = token_on(client, confirm_url)
    options = client.post("/confirm-its-you/passkey-options", json={"csrf_token": token})
    assert options.status_code == 200, options.get_data(as_text=True)
    credential = get(device, options.get_json())
    response = client.post(
        confirm_url,
        data={"csrf_token": token, "password": password, "passkey": json.dumps(credential)},
    )
    return response


def add_app(client, make):
    page = client.get("/second-factor/setup").get_data(as_text=True)
    secret = SECRET_RE.search(page)[1]
    done = submit(
        client,
        "/second-factor/setup",
        {"code": pyotp.TOTP(secret).now()},
    )
    assert "Your recovery codes" in done.get_data(as_text=True)
    return secret


@pytest.mark.parametrize(
    "body",
    [
        "[1, 2]",
        '"text"',
        "{",
        '{"csrf_token": 5}',
        '{"csrf_token": null, "credential": []}',
        "null",
    ],
)
def test_odd_bodies_get_a_clear_refusal_not_an_error(app, make, client, nurse_with_passkey, body):
    nurse, _ = nurse_with_passkey
    password_step(client, nurse.email, make.PASSWORD)
    for path in ("/second-factor/passkeys/sign-in/options", "/second-factor/passkeys/sign-in"):
        response = client.post(path, data=body, content_type="application/json")
        assert response.status_code == 400, (path, response.status_code)
    assert _outcome(client.get("/dashboard")) == LOGIN


def test_an_odd_credential_with_the_right_token_is_refused(app, make, client, nurse_with_passkey):
    nurse, _ = nurse_with_passkey
    password_step(client, nurse.email, make.PASSWORD)
    for credential in ([], "x", {"rawId": ["a"]}, {"rawId": "a" * 5000}, None):
        token, _ = sign_in_options(client)
        assert answer(client, token, credential).status_code == 400


def test_without_the_script_a_person_with_both_signs_in_with_a_code(
    app, make, client, nurse_with_passkey
):
    """The passkey button is hidden until passkeys.js shows it (the test client runs no
    script): the code from the app signs in as before. The pages add no inline script."""
    nurse, device = nurse_with_passkey
    login_with_passkey(client, make, nurse, device)
    secret = add_app(client, make)
    client.post("/logout")
    password_step(client, nurse.email, make.PASSWORD)
    page = client.get("/second-factor/verify").get_data(as_text=True)
    assert re.search(r"<div data-passkey-sign-in[^>]*\shidden>", page)
    assert 'name="code"' in page
    for url_page in (page, client.get("/second-factor").get_data(as_text=True)):
        # Only the NHS.UK template's own, allowed by the CSP's nonce.
        inline = re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", url_page)
        assert [tag for tag in inline if "nonce=" not in tag] == []
        assert len(inline) <= 1
    code = pyotp.TOTP(secret).at(now_utc() + timedelta(seconds=30))  # the next: one is spent
    assert submit(client, "/second-factor/verify", {"code": code}).status_code == 302
    assert client.get("/dashboard").status_code == 200
