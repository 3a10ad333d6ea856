"""A second factor for local accounts: an authenticator app (TOTP) with real codes from
pyotp, recovery codes, the pending state between password and code, and the rules on who
must have one."""

from __future__ import annotations

import re
from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from mdt.accounts import operations as accounts
from mdt.accounts.models import SecurityEvent
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mfa.models import RecoveryCode, TotpFactor
from tests.conftest import SECRET_RE, csrf_token, submit
from tests.test_route_inventory import INVENTORY, LOGIN, _outcome
from tests.test_route_inventory import world as world  # noqa: F401  (the fixture)

CODES_RE = re.compile(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>")
STEP = 30


def sign_in_password(client, email, password):
    return submit(client, "/login", {"email": email, "password": password})


def enrol(client, password=None):
    """Set up the app from the page's secret; returns (secret, recovery codes)."""
    page = client.get("/second-factor/setup").get_data(as_text=True)
    secret = SECRET_RE.search(page)[1]
    data = {"code": pyotp.TOTP(secret).now()}
    if password is not None:
        data["password"] = password
    done = submit(client, "/second-factor/setup", data)
    codes = CODES_RE.findall(done.get_data(as_text=True))
    assert len(codes) == 10, done.get_data(as_text=True)[:3000]
    return secret, codes


def enter_code(client, code):
    return submit(client, "/second-factor/verify", {"code": code})


@pytest.fixture
def clock():
    # Mid-step, so that "now" and the steps either side are plain to reason about.
    start = now_utc().replace(microsecond=0)
    start -= timedelta(seconds=start.timestamp() % STEP - 10)
    with time_machine.travel(start, tick=False) as traveller:
        yield traveller


@pytest.fixture
def person_with_app(app, make, client, clock):
    person = make.user(email="nurse@example.org")
    sign_in_password(client, person.email, make.PASSWORD)
    secret, codes = enrol(client, password=make.PASSWORD)
    client.post("/logout")
    # The code used to set up is spent (and every step before it): move on far enough that
    # the steps either side of now are not.
    clock.shift(3 * STEP)
    return person, secret, codes


def test_turning_the_app_on_then_signing_in_needs_a_code(app, make, client, person_with_app):
    person, secret, _ = person_with_app
    response = sign_in_password(client, person.email, make.PASSWORD)
    assert response.headers["Location"] == "/second-factor/verify"
    assert _outcome(client.get("/dashboard")) == LOGIN  # the password alone is not enough
    wrong = enter_code(client, "000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    assert wrong.status_code == 200
    assert "The code is wrong or has already been used" in wrong.get_data(as_text=True)
    right = enter_code(client, pyotp.TOTP(secret).now())
    assert right.headers["Location"] == "/dashboard"
    assert client.get("/dashboard").status_code == 200


def test_a_code_is_accepted_once(app, make, client, person_with_app):
    person, secret, _ = person_with_app
    code = pyotp.TOTP(secret).now()
    sign_in_password(client, person.email, make.PASSWORD)
    assert enter_code(client, code).status_code == 302
    client.post("/logout")
    sign_in_password(client, person.email, make.PASSWORD)
    replay = enter_code(client, code)
    assert replay.status_code == 200, "a used code must not sign in again"
    assert _outcome(client.get("/dashboard")) == LOGIN


def test_the_clock_may_be_one_step_out_either_way_but_no_more(
    app, make, client, clock, person_with_app
):
    person, secret, _ = person_with_app
    totp = pyotp.TOTP(secret)
    now = now_utc()
    two_behind = totp.at(now - timedelta(seconds=2 * STEP))
    one_behind = totp.at(now - timedelta(seconds=STEP))
    one_ahead = totp.at(now + timedelta(seconds=STEP))
    two_ahead = totp.at(now + timedelta(seconds=2 * STEP))
    current = totp.now()
    # Five different codes (there is a one in 10^5 chance that two are the same).
    assert len({two_behind, one_behind, one_ahead, two_ahead, current}) == 5
    sign_in_password(client, person.email, make.PASSWORD)
    assert enter_code(client, two_ahead).status_code == 200
    assert enter_code(client, two_behind).status_code == 200
    assert enter_code(client, one_behind).status_code == 302  # a phone a little slow
    client.post("/logout")
    sign_in_password(client, person.email, make.PASSWORD)
    assert enter_code(client, one_ahead).status_code == 302  # a phone a little fast
    client.post("/logout")
    # Now's code is in the window but older than the one last used: refused, which closes
    # replays of codes seen over someone's shoulder within the window.
    sign_in_password(client, person.email, make.PASSWORD)
    assert enter_code(client, current).status_code == 200
    assert _outcome(client.get("/dashboard")) == LOGIN


def test_a_recovery_code_signs_in_once_and_is_kept_hashed(
    app, make, session, client, person_with_app
):
    person, _, codes = person_with_app
    stored = session.scalars(
        sa.select(RecoveryCode.code_hash).where(RecoveryCode.user_id == person.id)
    ).all()
    assert len(stored) == 10
    plain = {c.replace("-", "") for c in codes} | set(codes)
    assert not plain & set(stored)
    sign_in_password(client, person.email, make.PASSWORD)
    assert enter_code(client, codes[3].upper()).status_code == 302  # as read off paper
    assert "9 unused recovery codes" in client.get("/second-factor").get_data(as_text=True)
    client.post("/logout")
    sign_in_password(client, person.email, make.PASSWORD)
    assert enter_code(client, codes[3]).status_code == 200
    assert enter_code(client, codes[4]).status_code == 302


def test_wrong_codes_lock_the_account_as_wrong_passwords_do(
    app, make, client, clock, person_with_app
):
    person, secret, _ = person_with_app
    app.config["SECURITY_LOGIN_MAX_FAILURES"] = 3
    sign_in_password(client, person.email, make.PASSWORD)
    for guess in ("111111", "222222", "333333"):
        clock.shift(1)  # after the password's success, as a person's typing would be
        if guess != pyotp.TOTP(secret).now():
            enter_code(client, guess)
    locked = enter_code(client, pyotp.TOTP(secret).now())
    assert locked.status_code == 200
    assert "Too many failed attempts" in locked.get_data(as_text=True)
    assert _outcome(client.get("/dashboard")) == LOGIN


def test_the_code_step_is_rate_limited(app, make, client, person_with_app):
    person, _, _ = person_with_app
    app.config["SECURITY_RATE_LIMIT_SIGN_IN"] = "3 per minute"
    sign_in_password(client, person.email, make.PASSWORD)
    statuses = [enter_code(client, f"00000{n}").status_code for n in range(4)]
    assert statuses[-1] == 429


def test_the_pending_state_reaches_no_signed_in_page(app, make, world):
    """Between the password and the code, every route that needs signing in sends the
    person to sign in: both for someone who has an app and for an administrator who must set
    one up first."""
    member_client = app.test_client()
    member_email = world["emails"]["member"]
    sign_in_password(member_client, member_email, make.PASSWORD)
    enrol(member_client, password=make.PASSWORD)
    member_client.post("/logout")
    pending_member = app.test_client()
    sign_in_password(pending_member, member_email, make.PASSWORD)
    pending_admin = app.test_client()
    response = sign_in_password(pending_admin, world["emails"]["admin"], make.PASSWORD)
    assert response.headers["Location"] == "/second-factor/setup"
    reachable = {}
    for who, client in (("member", pending_member), ("admin", pending_admin)):
        token = csrf_token(client, "/second-factor/verify" if who == "member" else "/login")
        for endpoint, route in INVENTORY.items():
            if route.expect["anonymous"] != LOGIN or endpoint.startswith("mfa."):
                continue
            path = route.path.format(**world["ids"])
            if route.method == "GET":
                got = _outcome(client.get(path))
            else:
                got = _outcome(client.post(path, data={"csrf_token": token}))
            if got != LOGIN:
                reachable[f"{who} {endpoint}"] = got
    assert reachable == {}
    # The second-factor pages a pending person may use are the step itself (and setting up,
    # for whoever must): not managing or removing one.
    assert _outcome(pending_member.get("/second-factor")) == LOGIN
    assert _outcome(pending_member.post("/second-factor/remove")) == LOGIN


def test_the_pending_state_ends_after_five_minutes(app, make, client, clock, person_with_app):
    person, secret, _ = person_with_app
    sign_in_password(client, person.email, make.PASSWORD)
    token = csrf_token(client, "/second-factor/verify")
    clock.shift(timedelta(minutes=5, seconds=1))
    code = pyotp.TOTP(secret).now()
    late = client.post("/second-factor/verify", data={"code": code, "csrf_token": token})
    assert late.headers["Location"] == "/login"
    assert _outcome(client.get("/dashboard")) == LOGIN


def test_a_password_reset_link_does_not_skip_the_second_factor(app, make, client, person_with_app):
    person, secret, _ = person_with_app
    admin = make.admin()
    with app.app_context():
        token = accounts.issue_password_link(db.session.get(type(person), person.id), admin)
        db.session.commit()
    new_password = "a new and long passphrase for the ward"
    response = submit(
        client, f"/password/{token}", {"password": new_password, "confirm": new_password}
    )
    assert response.headers["Location"] == "/login"
    assert _outcome(client.get("/dashboard")) == LOGIN
    after = sign_in_password(client, person.email, new_password)
    assert after.headers["Location"] == "/second-factor/verify"
    assert _outcome(client.get("/dashboard")) == LOGIN
    assert enter_code(client, pyotp.TOTP(secret).now()).status_code == 302


def test_administrators_always_need_a_second_factor(app, make, client, clock):
    admin = make.admin(email="boss@example.org")
    response = sign_in_password(client, admin.email, make.PASSWORD)
    assert response.headers["Location"] == "/second-factor/setup"
    assert _outcome(client.get("/users")) == LOGIN
    assert _outcome(client.get("/second-factor/verify")) == "ok"  # sent on to set one up
    enrol(client)
    assert client.get("/users").status_code == 200


def test_the_setting_requires_a_second_factor_for_everyone(app, make, client, clock):
    person = make.user(email="gp@example.org")
    app.config["SECURITY_REQUIRE_SECOND_FACTOR"] = True
    response = sign_in_password(client, person.email, make.PASSWORD)
    assert response.headers["Location"] == "/second-factor/setup"
    assert _outcome(client.get("/dashboard")) == LOGIN
    enrol(client)
    assert client.get("/dashboard").status_code == 200


def test_without_the_setting_a_person_without_an_app_signs_in_with_a_password(app, make, client):
    person = make.user(email="sw@example.org")
    response = sign_in_password(client, person.email, make.PASSWORD)
    assert response.headers["Location"] == "/dashboard"


def test_turning_the_app_on_after_the_window_asks_to_confirm_its_you(app, make, client, clock):
    person = make.user(email="ot@example.org")
    sign_in_password(client, person.email, make.PASSWORD)
    page = client.get("/second-factor/setup").get_data(as_text=True)
    assert 'class="mdt-qr"><svg' in page  # the QR code, drawn inline by segno
    clock.shift(timedelta(minutes=10))
    later = client.get("/second-factor/setup")
    assert later.headers["Location"] == "/confirm-its-you?next=/second-factor/setup"
    back = submit(client, later.headers["Location"], {"password": make.PASSWORD})
    assert back.headers["Location"] == "/second-factor/setup"
    assert SECRET_RE.search(client.get("/second-factor/setup").get_data(as_text=True))


def test_removing_the_app_is_recorded_and_can_end_other_sessions(
    app, make, session, client, clock, person_with_app
):
    person, secret, codes = person_with_app
    elsewhere = app.test_client()
    for browser in (client, elsewhere):
        sign_in_password(browser, person.email, make.PASSWORD)
        enter_code(browser, codes.pop())
    removed = submit(
        client, "/second-factor/remove", {"end_other_sessions": "y"}, form_url="/second-factor"
    )
    assert removed.headers["Location"] == "/second-factor"
    session.expire_all()
    assert session.scalar(sa.select(TotpFactor).where(TotpFactor.user_id == person.id)) is None
    # Setting it up and removing it, both in the account's security events.
    assert session.scalars(
        sa.select(SecurityEvent.action)
        .where(SecurityEvent.user_id == person.id)
        .order_by(SecurityEvent.id)
    ).all() == ["authenticator app added", "second factor removed"]
    assert client.get("/dashboard").status_code == 200  # this browser stays signed in
    assert _outcome(elsewhere.get("/dashboard")) == LOGIN  # the other one does not


def test_the_code_form_checks_its_csrf_token(app, make, client, person_with_app):
    person, secret, _ = person_with_app
    sign_in_password(client, person.email, make.PASSWORD)
    response = client.post("/second-factor/verify", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 200
    assert _outcome(client.get("/dashboard")) == LOGIN


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/availability?kind=absence", "/availability?kind=absence"),
        ("////evil.example", "/dashboard"),
    ],
)
def test_the_page_asked_for_survives_the_second_step_if_it_is_ours(
    app, make, client, person_with_app, asked, lands
):
    person, secret, _ = person_with_app
    token = csrf_token(client, "/login")
    data = {"email": person.email, "password": make.PASSWORD, "csrf_token": token}
    client.post("/login", query_string={"next": asked}, data=data)
    assert enter_code(client, pyotp.TOTP(secret).now()).headers["Location"] == lands
