"""Random tokens that are shown once and kept only as a hash."""

import hashlib
import secrets


def new_token() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
