"""Issue 24's acceptance: no route reachable after the password step lets a person skip the
second step. Every rule in the app's url_map, in each of its methods, is requested by a
person who has passed only the password step (one who has a factor, and an administrator
who must set one up), and each answer must be the one a stranger gets, except on the
second step's own pages."""

from __future__ import annotations

import pyotp
import time_machine

from mdt.core.time import now_utc
from tests.conftest import SECRET_RE, csrf_token, submit
from tests.mfa.test_second_factor import enter_code, sign_in_password
from tests.test_route_inventory import INVENTORY, LOGIN, OK, _outcome
from tests.test_route_inventory import world as world  # noqa: F401  (the fixture)

#: What a person between the password and the code may use that a stranger may not: the
#: code step itself, its passkey form (options and answer), and setting up a first factor
#: (only for whoever has none).
SECOND_STEP = {
    "mfa.verify",
    "mfa.setup",
    "mfa.passkeys.authentication_options",
    "mfa.passkeys.sign_in",
}


def _requests(app, world):
    """(endpoint, method, path) for every rule and each of its methods; signing out is
    left out (it ends the state being walked; tests/test_route_inventory checks it)."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "accounts.logout":
            continue
        if rule.endpoint == "static":
            path = "/static/app.js"
        else:
            path = INVENTORY[rule.endpoint].path.format(**world["ids"])
        found += [(rule.endpoint, m, path) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


def _walk(client, token, requests):
    answers = {}
    for endpoint, method, path in requests:
        if method == "GET":
            response = client.get(path)
        else:
            response = client.open(path, method=method, data={"csrf_token": token})
        answers[(endpoint, method, path)] = _outcome(response)
        response.close()  # a static file's answer holds the file open
    return answers


def _differences(answers, expected):
    return {
        key: f"got {got}, a stranger gets {expected[key]}"
        for key, got in answers.items()
        if got != expected[key] and key[0] not in SECOND_STEP
    }


def _member_with_an_app(app, make, email):
    browser = app.test_client()
    sign_in_password(browser, email, make.PASSWORD)
    secret = SECRET_RE.search(browser.get("/second-factor/setup").text)[1]
    assert (
        "Your recovery codes"
        in submit(browser, "/second-factor/setup", {"code": pyotp.TOTP(secret).now()}).text
    )
    browser.post("/logout")
    return secret


def test_after_the_password_alone_every_route_answers_as_to_a_stranger(app, make, world):
    # The clock stands still: the pending state lasts five minutes, a slow walk may not.
    with time_machine.travel(now_utc(), tick=False) as clock:
        secret = _member_with_an_app(app, make, world["emails"]["member"])
        clock.shift(90)  # the code used to set up is spent
        requests = _requests(app, world)
        assert len(requests) > 150  # every route, not a handful
        stranger = app.test_client()
        expected = _walk(stranger, csrf_token(stranger, "/login"), requests)

        pending_member = app.test_client()
        first = sign_in_password(pending_member, world["emails"]["member"], make.PASSWORD)
        assert first.headers["Location"] == "/second-factor/verify"
        token = csrf_token(pending_member, "/second-factor/verify")
        member_answers = _walk(pending_member, token, requests)

        pending_admin = app.test_client()
        first = sign_in_password(pending_admin, world["emails"]["admin"], make.PASSWORD)
        assert first.headers["Location"] == "/second-factor/setup"
        token = csrf_token(pending_admin, "/second-factor/setup")
        admin_answers = _walk(pending_admin, token, requests)

        assert _differences(member_answers, expected) == {}
        assert _differences(admin_answers, expected) == {}
        # The second step's pages serve the pending person (and not a stranger)...
        setup = ("mfa.setup", "GET", "/second-factor/setup")
        verify = ("mfa.verify", "GET", "/second-factor/verify")
        assert expected[setup] == expected[verify] == LOGIN
        assert admin_answers[setup] == member_answers[verify] == OK
        # ...and the pending state outlived the walk, so the walk was made in it.
        assert enter_code(pending_member, pyotp.TOTP(secret).now()).status_code == 302
        assert pending_member.get("/dashboard").status_code == 200
