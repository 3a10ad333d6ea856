"""A session ends after [security] session_hours, or earlier after idle_minutes with no
request; what was being typed survives signing in again."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
import time_machine

from mdt.accounts.models import UserSession
from mdt.config import DEFAULTS
from mdt.core.time import now_utc
from tests.conftest import login, submit
from tests.queries import count_queries


@pytest.fixture(autouse=True)
def real_idle_timeout(app):  # type: ignore[no-untyped-def]
    app.config["SECURITY_IDLE_MINUTES"] = DEFAULTS["SECURITY_IDLE_MINUTES"]
    assert app.config["SECURITY_IDLE_MINUTES"] == 60


def _last_seen(session, user):  # type: ignore[no-untyped-def]
    session.expire_all()
    return session.scalar(sa.select(UserSession.last_seen_at).where(UserSession.user_id == user.id))


def test_an_hour_without_a_request_ends_the_session(client, make):
    person = make.user()
    with time_machine.travel(now_utc(), tick=False) as clock:
        login(client, person.email)
        clock.shift(timedelta(minutes=59))
        assert client.get("/dashboard").status_code == 200
        clock.shift(timedelta(minutes=60, seconds=1))
        response = client.get("/dashboard")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=/dashboard"


def test_requests_keep_the_session_open_until_its_hours_are_up(client, make, app):
    person = make.user()
    with time_machine.travel(now_utc(), tick=False) as clock:
        login(client, person.email)
        for _ in range(14):  # 11 h 40 min, a request every 50 minutes
            clock.shift(timedelta(minutes=50))
            assert client.get("/dashboard").status_code == 200
        clock.shift(timedelta(minutes=21))  # 12 h 1 min since signing in
        assert client.get("/dashboard").status_code == 302


def test_the_idle_minutes_are_a_setting(client, make, app):
    app.config["SECURITY_IDLE_MINUTES"] = 15
    person = make.user()
    with time_machine.travel(now_utc(), tick=False) as clock:
        login(client, person.email)
        clock.shift(timedelta(minutes=15))
        assert client.get("/dashboard").status_code == 302


def test_last_seen_is_written_at_most_once_a_minute_and_committed(client, make, app, session):
    person = make.user()
    with time_machine.travel(now_utc(), tick=False) as clock:
        login(client, person.email)
        signed_in = _last_seen(session, person)
        clock.shift(timedelta(seconds=50))
        with count_queries(app) as quiet:
            assert client.get("/dashboard").status_code == 200
        assert not [s for s in quiet if s.lstrip().upper().startswith("UPDATE")]
        assert _last_seen(session, person) == signed_in

        clock.shift(timedelta(seconds=20))
        with count_queries(app) as touched:
            assert client.get("/dashboard").status_code == 200
        updates = [s for s in touched if s.lstrip().upper().startswith("UPDATE")]
        assert len(updates) == 1 and "user_session" in updates[0]
        assert len(touched) == len(quiet) + 1  # the write, and nothing read again
        assert _last_seen(session, person) == now_utc()


def test_typed_text_survives_an_idle_timeout(client, make):
    """The form posted after the timeout is not saved; signing in returns to the page it was
    on, where the browser restores the draft it kept (static/app.js, the browser tests)."""
    person = make.user(name="Ada Quinn")
    with time_machine.travel(now_utc(), tick=False) as clock:
        login(client, person.email)
        form_page = client.get("/profile")
        assert form_page.status_code == 200
        clock.shift(timedelta(minutes=61))
        response = client.post(
            "/profile",
            data={"name": "Ada Quinn-Smith", "revision": "1"},
            headers={"Referer": "http://localhost/profile"},
        )
        assert response.status_code == 302
        location = response.headers["Location"]
        assert parse_qs(urlsplit(location).query)["next"] == ["/profile"]
        login_page = client.get(location).text
        assert "Your session had ended, so that was not saved yet" in login_page
        back = submit(client, location, {"email": person.email, "password": make.PASSWORD})
    assert back.headers["Location"] == "/profile"
    assert "Ada Quinn-Smith" not in client.get("/profile").text  # nothing saved behind a timeout
