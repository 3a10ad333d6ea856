"""Limits per client address (issue 20, item 12): sign-in failures, password-set links
and calendar feed addresses that do not exist. These run with the real limits (the test
config raises them for the rest of the suite)."""

import secrets

import pytest
from flask import Flask, request

from mdt import create_app
from mdt.calendar import operations as calendar
from mdt.config import DEFAULTS, ConfigError
from mdt.core.throttle import LIMIT_SETTINGS
from mdt.core.time import now_utc
from mdt.extensions import db
from tests.conftest import csrf_token, test_config


@pytest.fixture
def real_limits(app, time_machine):  # type: ignore[no-untyped-def]
    # The clock stands still, so that a slow machine (argon2 takes most of a second when the
    # machine is busy) does not let the first attempts drop out of the minute.
    time_machine.move_to(now_utc(), tick=False)
    for setting in LIMIT_SETTINGS:
        app.config[setting] = DEFAULTS[setting]
    return app


def _sign_in(client, token, email, password="not the password", **environ):  # type: ignore[no-untyped-def]
    return client.post(
        "/login",
        data={"email": email, "password": password, "csrf_token": token},
        environ_overrides=environ,
    )


def test_forty_sign_ins_to_forty_accounts_from_one_address_are_stopped(real_limits, client, make):
    people = [make.user() for _ in range(40)]
    token = csrf_token(client, "/login")
    answers = [_sign_in(client, token, person.email).status_code for person in people]
    assert answers[:10] == [200] * 10  # the form again: the password is wrong
    assert set(answers[10:]) == {429}
    refused = _sign_in(client, token, people[0].email, make.PASSWORD)
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 61  # a minute (rounded up)
    assert "Too many attempts" in refused.text and "nhsuk-header" in refused.text
    assert "Wait 1 minute and try again" in refused.text


def test_another_address_can_still_sign_in(real_limits, client, make):
    person = make.user()
    token = csrf_token(client, "/login")
    for n in range(11):
        _sign_in(client, token, f"guess{n}@example.org", REMOTE_ADDR="203.0.113.9")
    assert _sign_in(client, token, person.email, REMOTE_ADDR="203.0.113.9").status_code == 429
    elsewhere = _sign_in(client, token, person.email, make.PASSWORD, REMOTE_ADDR="198.51.100.7")
    assert elsewhere.status_code == 302


def test_signing_in_successfully_is_never_counted(real_limits, app, make):
    person = make.user()
    for _ in range(15):
        browser = app.test_client()
        token = csrf_token(browser, "/login")
        assert _sign_in(browser, token, person.email, make.PASSWORD).status_code == 302


def test_the_limit_is_in_the_settings(real_limits, client, make):
    real_limits.config["SECURITY_RATE_LIMIT_SIGN_IN"] = "3 per hour"
    token = csrf_token(client, "/login")
    answers = [_sign_in(client, token, "who@example.org").status_code for _ in range(4)]
    assert answers == [200, 200, 200, 429]
    assert int(_sign_in(client, token, "who@example.org").headers["Retry-After"]) > 60


def test_wrong_password_links_are_stopped(real_limits, client):
    answers = [client.get(f"/password/{secrets.token_urlsafe(32)}").status_code for _ in range(12)]
    assert answers[:10] == [404] * 10
    assert answers[10:] == [429, 429]
    posted = client.post(f"/password/{secrets.token_urlsafe(32)}", data={"password": "x"})
    assert posted.status_code == 429 and "Retry-After" in posted.headers


def _feed(app: Flask, person) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        token = calendar.issue_person_link(db.session.get(type(person), person.id), None)
        db.session.commit()
    return f"/calendar/{token}.ics"


def test_random_feed_addresses_are_stopped_in_plain_text(real_limits, client):
    answers = []
    for n in range(300):
        path = f"/calendar/{'team/' if n % 2 else ''}{secrets.token_urlsafe(32)}.ics"
        answers.append(client.get(path))
    codes = [response.status_code for response in answers]
    assert codes[:20] == [404] * 20
    assert set(codes[20:]) == {429}
    refused = answers[-1]
    assert refused.content_type.startswith("text/plain")
    assert "Too many requests" in refused.text
    assert 1 <= int(refused.headers["Retry-After"]) <= 61  # a minute (rounded up)


def test_a_calendar_app_polling_its_feed_is_never_throttled(real_limits, client, make):
    path = _feed(real_limits, make.user())
    etag = None
    for _ in range(250):  # more than the hourly limit of wrong addresses
        response = client.get(path, headers={"If-None-Match": etag} if etag else {})
        assert response.status_code in {200, 304}
        etag = response.headers.get("ETag") or etag


def test_without_trusted_proxies_x_forwarded_for_changes_nothing(real_limits, client):
    for n in range(11):
        response = client.get(
            f"/password/{secrets.token_urlsafe(32)}",
            headers={"X-Forwarded-For": f"192.0.2.{n}"},
        )
    assert response.status_code == 429


def test_behind_a_trusted_proxy_each_forwarded_client_counts_alone(
    database_url, tmp_path, time_machine
):
    time_machine.move_to(now_utc(), tick=False)
    config = test_config(database_url, tmp_path) | {
        "SERVER_TRUSTED_PROXIES": 1,
        **{setting: DEFAULTS[setting] for setting in LIMIT_SETTINGS},
    }
    app = create_app(config)
    seen = {}

    @app.get("/_whoami")
    def whoami() -> str:
        seen.update(address=request.remote_addr, scheme=request.scheme)
        return ""

    client = app.test_client()

    def wrong_link(client_address: str) -> int:
        return client.get(
            f"/password/{secrets.token_urlsafe(32)}",
            headers={"X-Forwarded-For": f"198.51.100.1, {client_address}"},
        ).status_code

    assert [wrong_link("192.0.2.1") for _ in range(11)][-1] == 429
    assert wrong_link("192.0.2.2") == 404  # another client behind the same proxy
    client.get("/_whoami", headers={"X-Forwarded-For": "192.0.2.3", "X-Forwarded-Proto": "https"})
    assert seen == {"address": "192.0.2.3", "scheme": "https"}
    db.state(app).engine.dispose()


def test_a_malformed_limit_stops_the_app_with_a_clear_message(database_url, tmp_path):
    config = test_config(database_url, tmp_path) | {"SECURITY_RATE_LIMIT_FEED": "lots"}
    with pytest.raises(ConfigError, match="SECURITY_RATE_LIMIT_FEED"):
        create_app(config)
