"""Password hashing (argon2) and the rules: 12-128 characters, no composition rules,
and nothing common or easily guessed (zxcvbn's dictionaries and patterns)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
#: zxcvbn score 3 means roughly 10^8 guesses or more: not on any common-password list.
MIN_SCORE = 3

_hasher = PasswordHasher()
#: Verified against when an account does not exist, so timing does not reveal which exist.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    """Whether the password matches; with no hash, False after the same work as a check."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def password_problem(password: str, personal: list[str] | None = None) -> str | None:
    """What is wrong with a new password, in words for the person choosing it; None if fine."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    result = zxcvbn(password, user_inputs=[p for p in (personal or []) if p])
    if result["score"] < MIN_SCORE:
        warning = result["feedback"]["warning"] or "It is too easy to guess."
        return (
            "Choose a password that is harder to guess: "
            f"{warning.rstrip('.')}. A few unrelated words together work well."
        )
    return None
