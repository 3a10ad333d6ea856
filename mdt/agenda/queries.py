"""What the agenda page shows beside its cases that other features own.

Matters arising are the team's actions from earlier meetings: the actions feature, above
the agenda, registers how to find them (mdt.actions.queries), so that the agenda shows
them without importing it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Protocol

from mdt.meetings.models import Meeting


class Arising(Protocol):
    """Matters arising at a meeting, as the agenda page needs them."""

    def patient_ids(self) -> list[int]: ...


_MATTERS_ARISING: list[Callable[[Meeting, date], Arising]] = []


def find_matters_arising_with(find: Callable[[Meeting, date], Arising]) -> None:
    """Registers how to find a meeting's matters arising (the actions feature does)."""
    _MATTERS_ARISING[:] = [find]


def matters_arising(meeting: Meeting, today: date) -> Arising | None:
    """The meeting's matters arising; None when no feature offers them."""
    return _MATTERS_ARISING[0](meeting, today) if _MATTERS_ARISING else None
