"""Confirming who someone is again, in a session they are already signed in to. Flushes;
the view commits."""

from __future__ import annotations

from mdt.accounts import operations as accounts
from mdt.accounts.models import User, UserSession
from mdt.core.time import now_utc
from mdt.mfa import factors


def confirm_its_you(
    user: User, record: UserSession, password: str, proof: factors.Proof | None
) -> str:
    """Checks the password and, for someone with a second factor, a code or a passkey's
    answer (the sign-in's own check, factors.verify_factor). Returns "" when both are right
    (and marks the session as authenticated now), else which one was wrong: "password",
    "code" or "passkey"."""
    if not accounts.password_matches(user, password):
        return "password"
    if factors.factors_of(user).any:
        if proof is None:
            return "code"
        if not factors.verify_factor(user, proof).ok:
            return "passkey" if isinstance(proof, factors.PasskeyAnswer) else "code"
    record.authenticated_at = now_utc()
    return ""
