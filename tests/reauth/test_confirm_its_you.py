"""Re-authentication within the last [security] reauth_minutes (ASVS 7.5.1) before changing
how one signs in, and signing out of other sessions."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import sqlalchemy as sa

from mdt.accounts.models import User, UserSession
from mdt.mail.models import OutboxMessage
from mdt.mfa.models import TotpFactor
from tests.conftest import csrf_token, submit
from tests.mfa.test_second_factor import clock as clock  # noqa: F401  (the fixture)
from tests.mfa.test_second_factor import enter_code, sign_in_password
from tests.mfa.test_second_factor import person_with_app as person_with_app  # noqa: F401
from tests.test_route_inventory import LOGIN, _outcome

CONFIRM = "/confirm-its-you"
#: The pages that change how someone signs in, as GET pages.
GUARDED_PAGES = ["/profile/password", "/profile/email", "/second-factor/setup"]
NEW_PASSWORD = "a fresh and long passphrase for the surgery"


@pytest.fixture
def nurse(make, client):
    person = make.user(email="nurse.reauth@example.org")
    sign_in_password(client, person.email, make.PASSWORD)
    return person


@pytest.mark.parametrize("page", GUARDED_PAGES)
def test_right_after_signing_in_the_pages_open_without_asking(client, nurse, page):
    assert client.get(page).status_code == 200


@pytest.mark.parametrize("page", GUARDED_PAGES)
def test_after_the_window_the_person_confirms_its_them_and_returns(
    make, client, clock, nurse, page
):
    clock.shift(timedelta(minutes=10))
    asked = client.get(page)
    assert asked.headers["Location"] == f"{CONFIRM}?next={page}"
    form = client.get(asked.headers["Location"]).text
    assert "Confirm it&#39;s you" in form and 'name="code"' not in form  # no factor: no code
    wrong = submit(client, asked.headers["Location"], {"password": "not it"})
    assert wrong.status_code == 200 and "The password is wrong" in wrong.text
    right = submit(client, asked.headers["Location"], {"password": make.PASSWORD})
    assert right.headers["Location"] == page
    assert client.get(page).status_code == 200


def test_the_window_is_a_setting(app, client, clock, nurse):
    app.config["SECURITY_REAUTH_MINUTES"] = 30
    clock.shift(timedelta(minutes=29))
    assert client.get("/profile/password").status_code == 200
    clock.shift(timedelta(minutes=1))
    assert client.get("/profile/password").headers["Location"].startswith(CONFIRM)


def test_the_time_is_kept_in_the_session_record_on_the_server(app, session, client, clock, nurse):
    record = session.scalars(sa.select(UserSession).where(UserSession.user_id == nurse.id)).one()
    assert record.authenticated_at is not None
    # A session from before the time was kept counts as long ago.
    record.authenticated_at = None
    session.commit()
    assert client.get("/profile/email").headers["Location"].startswith(CONFIRM)


def test_someone_with_a_factor_also_types_a_code_the_sign_in_check(
    make, session, client, clock, person_with_app
):
    person, secret, codes = person_with_app
    sign_in_password(client, person.email, make.PASSWORD)
    enter_code(client, pyotp.TOTP(secret).now())
    clock.shift(timedelta(minutes=11))
    asked = client.get("/profile/email").headers["Location"]
    page = client.get(asked).text
    assert 'name="code"' in page
    no_code = submit(client, asked, {"password": make.PASSWORD})
    assert "Enter the code from your authenticator app" in no_code.text
    wrong = submit(client, asked, {"password": make.PASSWORD, "code": "12345x"})
    assert "The code is wrong or has already been used" in wrong.text
    # A recovery code is a factor as at sign-in, and is used up by this.
    right = submit(client, asked, {"password": make.PASSWORD, "code": codes[0]})
    assert right.headers["Location"] == "/profile/email"
    clock.shift(timedelta(minutes=11))
    again = client.get("/profile/email").headers["Location"]
    assert (
        "The code is wrong"
        in submit(client, again, {"password": make.PASSWORD, "code": codes[0]}).text
    )


def test_wrong_codes_typed_with_the_right_password_still_lock_the_account(
    app, make, client, clock, person_with_app
):
    person, secret, _ = person_with_app
    app.config["SECURITY_LOGIN_MAX_FAILURES"] = 3
    sign_in_password(client, person.email, make.PASSWORD)
    enter_code(client, pyotp.TOTP(secret).now())
    clock.shift(timedelta(minutes=11))
    asked = client.get("/profile/password").headers["Location"]
    for guess in ("111111", "222222", "333333"):
        clock.shift(1)
        if guess != pyotp.TOTP(secret).now():
            submit(client, asked, {"password": make.PASSWORD, "code": guess})
    clock.shift(timedelta(seconds=3 * 30))
    locked = submit(client, asked, {"password": make.PASSWORD, "code": pyotp.TOTP(secret).now()})
    assert "Too many failed attempts" in locked.text
    assert client.get("/profile/password").headers["Location"].startswith(CONFIRM)


def test_confirming_is_rate_limited(app, client, nurse):
    app.config["SECURITY_RATE_LIMIT_SIGN_IN"] = "3 per minute"
    token = csrf_token(client, CONFIRM)
    answers = [
        client.post(CONFIRM, data={"password": f"guess {n}", "csrf_token": token}).status_code
        for n in range(4)
    ]
    assert answers == [200, 200, 200, 429]


def test_a_form_posted_after_the_window_changes_nothing_and_goes_back_to_its_page(
    make, session, client, clock, nurse
):
    token = csrf_token(client, "/profile/email")
    clock.shift(timedelta(minutes=15))
    late = client.post(
        "/profile/email",
        data={"email": "new.nurse@example.org", "end_other_sessions": "y", "csrf_token": token},
        headers={"Referer": "http://localhost/profile/email"},
    )
    assert late.headers["Location"] == f"{CONFIRM}?next=/profile/email"
    session.expire_all()
    assert session.get(User, nurse.id).email == "nurse.reauth@example.org"
    # The form is marked for the browser to keep what was typed (static/app.js).
    assert submit(client, late.headers["Location"], {"password": make.PASSWORD}).status_code == 302
    assert 'data-draft="change-email"' in client.get("/profile/email").text


def test_changing_the_password_can_end_the_other_sessions(app, make, client, nurse):
    elsewhere = app.test_client()
    sign_in_password(elsewhere, nurse.email, make.PASSWORD)
    page = client.get("/profile/password").text
    assert 'name="end_other_sessions"' in page and "checked" in page  # ticked by default
    changed = submit(
        client,
        "/profile/password",
        {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD, "end_other_sessions": "y"},
    )
    assert changed.headers["Location"] == "/second-factor"
    assert client.get("/dashboard").status_code == 200
    assert _outcome(elsewhere.get("/dashboard")) == LOGIN
    fresh = app.test_client()
    assert sign_in_password(fresh, nurse.email, make.PASSWORD).status_code == 200  # old: no
    assert sign_in_password(fresh, nurse.email, NEW_PASSWORD).headers["Location"] == "/dashboard"


def test_changing_the_password_without_the_box_keeps_the_other_sessions(app, make, client, nurse):
    elsewhere = app.test_client()
    sign_in_password(elsewhere, nurse.email, make.PASSWORD)
    submit(client, "/profile/password", {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert elsewhere.get("/dashboard").status_code == 200


def test_changing_the_email_tells_the_old_address_and_can_end_other_sessions(
    app, make, session, client, nurse
):
    elsewhere = app.test_client()
    sign_in_password(elsewhere, nurse.email, make.PASSWORD)
    make.user(email="taken@example.org")
    taken = submit(client, "/profile/email", {"email": "Taken@example.org"})
    assert "Someone already uses this email address" in taken.text
    assert 'value="Taken@example.org"' in taken.text  # what was typed stays
    changed = submit(
        client, "/profile/email", {"email": "nurse.new@example.org", "end_other_sessions": "y"}
    )
    assert changed.headers["Location"] == "/second-factor"
    session.expire_all()
    assert session.get(User, nurse.id).email_key == "nurse.new@example.org"
    letter = session.scalars(sa.select(OutboxMessage)).one()
    assert letter.recipients == "nurse.reauth@example.org"
    assert "nurse" not in letter.subject.lower()  # no names in subjects
    assert _outcome(elsewhere.get("/dashboard")) == LOGIN
    assert client.get("/dashboard").status_code == 200


def test_new_recovery_codes_need_a_recent_confirmation(
    make, session, client, clock, person_with_app
):
    person, secret, old_codes = person_with_app
    sign_in_password(client, person.email, make.PASSWORD)
    enter_code(client, pyotp.TOTP(secret).now())
    made = submit(client, "/second-factor/recovery-codes", {}, form_url="/second-factor")
    assert "Your recovery codes" in made.text
    clock.shift(timedelta(minutes=11))
    token = csrf_token(client, "/second-factor")
    late = client.post(
        "/second-factor/recovery-codes",
        data={"csrf_token": token},
        headers={"Referer": "http://localhost/second-factor"},
    )
    assert late.headers["Location"] == f"{CONFIRM}?next=/second-factor"
    # The earlier regeneration replaced the codes from enrolment.
    fresh = client.application.test_client()
    sign_in_password(fresh, person.email, make.PASSWORD)
    assert enter_code(fresh, old_codes[0]).status_code == 200


def test_removing_the_factor_after_the_window_asks_first(
    make, session, client, clock, person_with_app
):
    person, secret, _ = person_with_app
    sign_in_password(client, person.email, make.PASSWORD)
    enter_code(client, pyotp.TOTP(secret).now())
    token = csrf_token(client, "/second-factor")
    clock.shift(timedelta(minutes=11))
    late = client.post(
        "/second-factor/remove",
        data={"csrf_token": token},
        headers={"Referer": "http://localhost/second-factor"},
    )
    assert late.headers["Location"].startswith(CONFIRM)
    assert session.scalar(sa.select(TotpFactor).where(TotpFactor.user_id == person.id))


def test_sign_out_of_all_other_sessions(app, make, client, nurse):
    others = [app.test_client() for _ in range(2)]
    for other in others:
        sign_in_password(other, nurse.email, make.PASSWORD)
    page = client.get("/second-factor").text
    assert "Sign out of all other sessions" in page
    done = submit(client, "/sessions/end-others", {}, form_url="/second-factor")
    assert done.headers["Location"] == "/second-factor"
    assert [_outcome(other.get("/dashboard")) for other in others] == [LOGIN, LOGIN]
    assert client.get("/dashboard").status_code == 200
