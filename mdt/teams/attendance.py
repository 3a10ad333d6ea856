"""Each member's attendance record, shown on the team page.

Meetings keep attendance and sit above teams, so they register the query here at start-up
(mdt.meetings.subscribers) rather than teams importing them."""

from __future__ import annotations

from collections.abc import Callable, Mapping

#: team id -> {user id: (meetings attended in person or remotely, meetings recorded)}
History = Callable[[int], Mapping[int, tuple[int, int]]]

_registered: dict[str, History] = {}


def register(history: History) -> None:
    _registered["history"] = history


def attendance_history(team_id: int) -> Mapping[int, tuple[int, int]]:
    """Per person: (meetings attended in person or remotely, meetings with attendance
    recorded)."""
    return _registered["history"](team_id)
