"""The retention rule as pure functions: when a patient's records fall due, and the keyed
hash that names a disposed patient in the audit without keeping their NHS number.

When a patient's records are **closed**: none of their cases is still open (a case is open
while it is waiting for a meeting or on a meeting not yet closed by the chair, i.e. on an
upcoming agenda), and none of their actions is open. They closed on the latest of:
the day the chair closed (or someone cancelled) the meeting each case last sat on, the day
each of their actions was closed, and the latest review date an outcome set. A patient
never put on an agenda closed on the day they were added. They fall due on the same day
``years`` later (29 February: the 28th), in the service's time zone, and are disposed of
from that day on unless a legal hold is in place.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import date

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Standing:
    """One patient's place in the retention rule."""

    patient_id: int
    #: None while a case or an action is still open: never due.
    closed_on: date | None
    years: int
    held: bool

    @property
    def due_on(self) -> date | None:
        return None if self.closed_on is None else due_date(self.closed_on, self.years)

    def due_by(self, day: date) -> bool:
        """Past retention on `day` and free to go (closed, no hold)."""
        due = self.due_on
        return due is not None and due <= day and not self.held


def due_date(closed_on: date, years: int) -> date:
    return closed_on + relativedelta(years=years)


def closed_on(
    open_items: int, created: date, closings: list[date | None], reviews: list[date | None]
) -> date | None:
    """The day the patient's records closed, or None while anything is open."""
    if open_items:
        return None
    days = [d for d in (*closings, *reviews) if d is not None]
    return max(days, default=created)


def nhs_number_hash(nhs_number: str, key: str) -> str:
    """HMAC-SHA256 of the NHS number: the same number always gives the same hash under one
    key (so a later enquiry can be answered "disposed of on ..."), but the number cannot be
    read back from it, nor found by hashing every possible number without the key."""
    return hmac.new(key.encode(), nhs_number.encode(), hashlib.sha256).hexdigest()
