"""Password hashing (argon2) and the rules: 12-128 characters, no composition rules,
and nothing common or easily guessed (zxcvbn's dictionaries and patterns, with the
person's name, email address and the service's name as words a guesser would try first)."""

from __future__ import annotations

import re

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

MIN_LENGTH = 12
MAX_LENGTH = 128
#: zxcvbn score 3 means roughly 10^8 guesses or more: not on any common-password list.
MIN_SCORE = 3
#: Passwords published as examples of strong ones (xkcd 936), so on every guessing list now;
#: zxcvbn's own lists score the first as four unrelated words.
WELL_KNOWN = ("correcthorsebatterystaple", "tr0ub4dor&3")
#: What people put between words. A guesser tries the words run together as well, so a
#: password is judged both as typed and without these.
_SEPARATORS = re.compile(r"[\s\-_.+,;:]+")
_NOT_A_LETTER_OR_DIGIT = re.compile(r"[^0-9a-z]+")

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


def context_words(*texts: str) -> list[str]:
    """The words in a person's name, email address or the service's name that a guesser
    would try first: each word, and the words of each text run together ("Sec Test policy"
    gives sec, test, policy and sectestpolicy; "jo.clarke@nhs.net" gives jo, clarke,
    joclarke, nhs, net). zxcvbn matches its user_inputs as whole words only."""
    words: list[str] = []
    for text in texts:
        for part in (text or "").lower().split("@"):
            pieces = [piece for piece in _NOT_A_LETTER_OR_DIGIT.split(part) if piece]
            words += pieces
            if len(pieces) > 1:
                words.append("".join(pieces))
    return list(dict.fromkeys(words))


def password_problem(password: str, personal: list[str] | None = None) -> str | None:
    """What is wrong with a new password, in words for the person choosing it; None if fine.
    `personal`: context_words() for the person and the service."""
    if len(password) < MIN_LENGTH:
        return f"Password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"Password must be {MAX_LENGTH} characters or fewer"
    user_inputs = [*(p for p in (personal or []) if p), *WELL_KNOWN]
    squeezed = _SEPARATORS.sub("", password)
    results = [zxcvbn(candidate, user_inputs=user_inputs) for candidate in {password, squeezed}]
    weakest = min(results, key=lambda result: result["score"])
    if weakest["score"] < MIN_SCORE:
        warning = weakest["feedback"]["warning"] or "It is too easy to guess."
        return (
            "Choose a password that is harder to guess: "
            f"{warning.rstrip('.')}. A few unrelated words together work well."
        )
    return None
