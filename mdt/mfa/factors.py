"""Every second factor a person has, and the one check of "a factor" that the second step of
signing in (and anything else asking for a factor again) goes through.

A proof is what the person gave: a code typed (from the authenticator app, or a recovery
code) or a passkey's answer. `verify_factor` knows every kind, so a caller asking for "a
factor" gets each kind the person has without knowing them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from mdt.accounts import operations as accounts
from mdt.accounts.models import LoginAttempt, User
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mfa import operations as codes
from mdt.mfa import passkeys
from mdt.mfa.models import Passkey

WRONG_CODE = "The code is wrong or has already been used"


@dataclass(frozen=True)
class Code:
    """Typed: a 6-digit code from the authenticator app, or a recovery code."""

    text: str


@dataclass(frozen=True)
class PasskeyAnswer:
    """What navigator.credentials.get() gave (as JSON), answering the options that
    passkeys.authentication_options(user) gave this browser."""

    credential: Any


Proof = Code | PasskeyAnswer


@dataclass(frozen=True)
class Outcome:
    ok: bool
    #: What to tell the person when not ok.
    problem: str | None = None


@dataclass(frozen=True)
class Factors:
    totp: bool
    passkeys: int

    @property
    def any(self) -> bool:
        return self.totp or self.passkeys > 0


def factors_of(user: User) -> Factors:
    count = db.session.scalar(
        sa.select(sa.func.count(Passkey.id)).where(Passkey.user_id == user.id)
    )
    return Factors(totp=codes.confirmed_totp(user) is not None, passkeys=count or 0)


LAST_FACTOR = (
    "Your account needs a second factor, and this is your only one: add another (a passkey "
    "or an authenticator app) before removing it."
)


def removal_problem(user: User) -> str | None:
    """Why the person may not remove one of their factors now: it is their last, and their
    account needs one. None when they may."""
    left = factors_of(user)
    if codes.always_required(user) and left.totp + left.passkeys <= 1:
        return LAST_FACTOR
    return None


def verify_factor(user: User, proof: Proof) -> Outcome:
    """Whether `proof` is a valid second factor of this person's, used up if it is (a code
    is accepted once, a passkey's challenge is used once and its counter moves on). Refused
    while the account is locked; every answer counts with the sign-in attempts, so wrong
    ones lock the account as wrong passwords do. Flushes; the caller commits (a refusal too,
    so that it counts)."""
    locked = locked_problem(user)
    if locked is not None:
        return Outcome(False, locked)
    if isinstance(proof, Code):
        ok = codes.use_code(user, proof.text)
        _count_attempt(user, succeeded=ok)
        return Outcome(True) if ok else Outcome(False, WRONG_CODE)
    try:
        passkeys.verify_assertion(user, proof.credential)
    except passkeys.PasskeyRefused as refused:
        _count_attempt(user, succeeded=False)
        return Outcome(False, str(refused))
    _count_attempt(user, succeeded=True)
    return Outcome(True)


def _count_attempt(user: User, *, succeeded: bool) -> None:
    db.session.add(LoginAttempt(email_key=accounts.email_key(user.email), succeeded=succeeded))
    db.session.flush()


def locked_problem(user: User) -> str | None:
    until = accounts.locked_until(user.email)
    if until is None:
        return None
    minutes = max(1, math.ceil((until - now_utc()).total_seconds() / 60))
    return (
        "Too many failed attempts to sign in to this account. Wait "
        f"{minutes} minute{'s' if minutes != 1 else ''} and try again."
    )
