"""The meetings booked in a series' occurrences, as slots need to know them.

An occurrence with a meeting booked is shown as booked and cannot be changed. Meetings sit
above slots, so they register their queries here at start-up (mdt.meetings.subscribers)
rather than slots importing them."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol


class Bookings(Protocol):
    def booked_occurrences(self, team_id: int) -> dict[tuple[int, date], Any]:
        """The team's booked meetings by (series id, the occurrence's original date)."""

    def meeting_in_occurrence(self, series_id: int, original_date: date) -> Any | None:
        """The meeting booked in one occurrence, if any."""


_registered: dict[str, Bookings] = {}


def register(bookings: Bookings) -> None:
    _registered["bookings"] = bookings


def booked_occurrences(team_id: int) -> dict[tuple[int, date], Any]:
    return _registered["bookings"].booked_occurrences(team_id)


def is_booked(series_id: int, original_date: date) -> bool:
    return _registered["bookings"].meeting_in_occurrence(series_id, original_date) is not None
