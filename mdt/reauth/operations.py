"""Confirming who someone is again, in a session they are already signed in to. Flushes;
the view commits."""

from __future__ import annotations

from mdt.accounts import operations as accounts
from mdt.accounts.models import User, UserSession
from mdt.core.time import now_utc
from mdt.mfa import operations as mfa


def confirm_its_you(user: User, record: UserSession, password: str, code: str | None) -> str:
    """Checks the password and, for someone with a second factor, a code (the sign-in's own
    check, mfa.verify_second_factor). Returns "" when both are right (and marks the session
    as authenticated now), else which one was wrong: "password" or "code"."""
    if not accounts.password_matches(user, password):
        return "password"
    if mfa.has_second_factor(user) and not mfa.verify_second_factor(user, code or ""):
        return "code"
    record.authenticated_at = now_utc()
    return ""
