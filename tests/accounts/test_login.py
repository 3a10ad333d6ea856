from datetime import timedelta

import time_machine

from mdt.core.forms import CSRF_MESSAGE
from mdt.core.time import now_utc
from tests.conftest import csrf_token, login, submit


def test_gp_signs_in_and_sees_their_dashboard(client, make):
    gp = make.user(name="Dr Ada Quinn", email="Ada.Quinn@Example.org")
    response = login(client, "ada.quinn@example.org")
    assert response.headers["Location"] == "/dashboard"
    page = client.get("/dashboard").get_data(as_text=True)
    assert "Hello, Dr Ada Quinn" in page
    assert gp.id


def test_wrong_password_is_explained_and_the_email_kept(client, make):
    make.user(email="nurse@example.org")
    response = submit(client, "/login", {"email": "nurse@example.org", "password": "wrong one"})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "The email address or password is wrong" in page
    assert 'value="nurse@example.org"' in page
    assert "wrong one" not in page


def test_malformed_email_gets_a_field_error(client):
    response = submit(client, "/login", {"email": "not-an-address", "password": "whatever"})
    page = response.get_data(as_text=True)
    assert "Enter an email address in the correct format" in page
    assert 'value="not-an-address"' in page


def test_missing_csrf_token_is_explained_and_nothing_typed_is_lost(client, make):
    make.user(email="sw@example.org")
    response = client.post("/login", data={"email": "sw@example.org", "password": make.PASSWORD})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert CSRF_MESSAGE in page
    assert 'value="sw@example.org"' in page
    assert client.get("/dashboard").status_code == 302  # not signed in


def test_ten_failures_lock_the_account_until_the_cooling_off_ends(client, make):
    make.user(email="locked@example.org")
    start = now_utc()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(10):
            clock.shift(timedelta(seconds=30))
            submit(client, "/login", {"email": "locked@example.org", "password": "bad guess"})
        right = submit(client, "/login", {"email": "locked@example.org", "password": make.PASSWORD})
        page = right.get_data(as_text=True)
        assert right.status_code == 200
        assert "Too many failed attempts" in page
        assert "Wait 15 minutes" in page

        clock.shift(timedelta(minutes=14))
        still = submit(client, "/login", {"email": "locked@example.org", "password": make.PASSWORD})
        assert "Too many failed attempts" in still.get_data(as_text=True)

        clock.shift(timedelta(minutes=1, seconds=1))
        login(client, "locked@example.org")


def test_failures_spread_over_more_than_the_window_do_not_lock(client, make):
    make.user(email="slow@example.org")
    with time_machine.travel(now_utc(), tick=False) as clock:
        for _ in range(10):
            clock.shift(timedelta(minutes=2))
            submit(client, "/login", {"email": "slow@example.org", "password": "bad guess"})
        login(client, "slow@example.org")


def test_a_cookie_captured_before_logout_is_rejected_after(client, make, app):
    make.user(email="replay@example.org")
    login(client, "replay@example.org")
    assert client.get("/dashboard").status_code == 200
    captured = client.get_cookie("session").value

    submit(client, "/logout", {}, form_url="/dashboard")
    assert client.get("/dashboard").status_code == 302

    attacker = app.test_client()
    attacker.set_cookie("session", captured)
    response = attacker.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_signing_in_starts_a_fresh_session(client, make):
    make.user(email="fresh@example.org")
    before = csrf_token(client, "/login")
    with client.session_transaction() as s:
        s["planted"] = "by someone else"
    login(client, "fresh@example.org")
    with client.session_transaction() as s:
        assert "planted" not in s
    assert csrf_token(client, "/profile") != before


def test_inactive_person_cannot_sign_in(client, make):
    make.user(email="left@example.org", is_active=False)
    response = submit(client, "/login", {"email": "left@example.org", "password": make.PASSWORD})
    assert "The email address or password is wrong" in response.get_data(as_text=True)


def test_next_only_goes_to_this_site(client, make):
    make.user(email="next@example.org")
    token = csrf_token(client, "/login")
    data = {"email": "next@example.org", "password": make.PASSWORD, "csrf_token": token}
    response = client.post("/login?next=https://evil.example.com/", data=data)
    assert response.headers["Location"] == "/dashboard"
