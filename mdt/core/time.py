"""One clock for the whole app: aware UTC, so tests can move it and nothing is naive."""

from datetime import UTC, datetime


def now_utc() -> datetime:
    return datetime.now(UTC)
