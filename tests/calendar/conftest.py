from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from tests.calendar.support import (
    Seen,
    icaljs_available,
    icaljs_occurrences,
    libical_available,
    libical_occurrences,
)


@pytest.fixture(scope="session")
def icaljs() -> Callable[[bytes, datetime, datetime], list[Seen]]:
    """Expand a feed with Mozilla's ical.js under Node (installed with npm ci if missing)."""
    icaljs_available()
    return icaljs_occurrences


@pytest.fixture(scope="session")
def libical() -> Callable[[bytes, datetime, datetime], list[Seen]]:
    """Expand a feed with libical (Evolution, GNOME) through Debian's python3 and its bindings."""
    libical_available()
    return libical_occurrences
