from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from tests.calendar.support import Seen, icaljs_available, icaljs_occurrences


@pytest.fixture(scope="session")
def icaljs() -> Callable[[bytes, datetime, datetime], list[Seen]]:
    """Expand a feed with Mozilla's ical.js under Node (installed with npm ci if missing)."""
    icaljs_available()
    return icaljs_occurrences
