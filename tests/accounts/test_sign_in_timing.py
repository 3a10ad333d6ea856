"""Signing in takes as long for an address with no account as for a real one, so timing the
answers does not tell which email addresses have an account."""

import statistics
import time

import pytest
from argon2 import PasswordHasher, extract_parameters

from mdt.accounts import passwords
from tests.conftest import csrf_token, submit


class _CountingHasher:
    def __init__(self, hasher):  # type: ignore[no-untyped-def]
        self.hasher = hasher
        self.verified = 0

    def verify(self, hash, password):  # type: ignore[no-untyped-def]  # noqa: A002
        self.verified += 1
        return self.hasher.verify(hash, password)

    def __getattr__(self, name):  # type: ignore[no-untyped-def]
        return getattr(self.hasher, name)


#: Lighter than the production parameters (64 MiB, 3 passes, 4 lanes), so that thirty
#: sign-ins stay quick on a busy machine, yet heavy enough (32 MiB) that a verification
#: costs more than the rest of the request, so a skipped one shows well past the noise.
_TEST_HASHER = PasswordHasher(time_cost=1, memory_cost=32768, parallelism=1)
#: Not one the factory has hashed with the production parameters earlier in the run.
_PASSWORD = "heron-lantern-quarry-51"


@pytest.fixture
def hasher(monkeypatch):  # type: ignore[no-untyped-def]
    counting = _CountingHasher(_TEST_HASHER)
    monkeypatch.setattr(passwords, "_hasher", counting)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", _TEST_HASHER.hash("dummy"))
    return counting


def test_the_dummy_hash_has_the_parameters_of_real_ones():
    assert extract_parameters(passwords._DUMMY_HASH) == extract_parameters(
        passwords.hash_password("anything at all")
    )


def _sign_in(client, email, password):  # type: ignore[no-untyped-def]
    return submit(client, "/login", {"email": email, "password": password})


@pytest.mark.parametrize(
    "case", ["no such account", "not active", "no password yet", "wrong password", "right"]
)
def test_every_sign_in_verifies_one_password_hash(client, make, hasher, case):
    if case != "no such account":
        make.user(
            email="who@example.org",
            is_active=case != "not active",
            password=None if case == "no password yet" else _PASSWORD,
        )
    password = _PASSWORD if case in {"right", "not active", "no password yet"} else "nope"
    response = _sign_in(client, "who@example.org", password)
    assert response.status_code == (302 if case == "right" else 200)
    assert hasher.verified == 1


def test_a_sign_in_during_cooling_off_verifies_a_hash_too(client, make, hasher, app):
    make.user(email="cooling@example.org", password=_PASSWORD)
    for _ in range(app.config["SECURITY_LOGIN_MAX_FAILURES"]):
        _sign_in(client, "cooling@example.org", "bad guess")
    hasher.verified = 0
    response = _sign_in(client, "cooling@example.org", _PASSWORD)
    assert "Too many failed attempts" in response.text
    assert hasher.verified == 1


def test_a_wrong_password_and_an_unknown_address_take_as_long(client, make, app, hasher):
    make.user(email="real@example.org", password=_PASSWORD)
    app.config["SECURITY_LOGIN_MAX_FAILURES"] = 1000  # this test is not about cooling off
    token = csrf_token(client, "/login")

    def timed(email: str) -> float:
        started = time.perf_counter()
        response = client.post(
            "/login", data={"email": email, "password": "not it", "csrf_token": token}
        )
        elapsed = time.perf_counter() - started
        assert response.status_code == 200 and "password is wrong" in response.text
        return elapsed

    real, unknown = [], []
    for n in range(15):  # interleaved, so that load on the machine falls on both alike
        real.append(timed("real@example.org"))
        unknown.append(timed(f"nobody{n}@example.org"))
    real_median, unknown_median = statistics.median(real), statistics.median(unknown)
    # Before the dummy hash was verified, the unknown address took a third of the time or
    # less (measured: 14 against 128 ms on a busy machine); with it both are one argon2
    # verification plus the same queries.
    assert unknown_median > 0.6 * real_median, (real_median, unknown_median)
    assert real_median > 0.6 * unknown_median, (real_median, unknown_median)
