"""Who still owes preparation for a meeting, as the person running it chases it: pure
functions over rows, no database (the dashboard and "Remind those who still owe" share them).

A member who sent apologies naming a cover is not chased beside the cover: the cover stands
in for them at this meeting (mdt.patients.access) and prepares in their place
(mdt.prep.operations.pass_to_cover), so whatever is still in the member's name for a case is
counted once, as the cover's. A case the cover has prepared is done, whoever's request it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time

from mdt.core.days import local_to_utc, today_in

#: The reminder rows (mdt.reminders.models.Reminder) of "Remind those who still owe": sent
#: at once, by a person rather than by the sweep, so no producer in mdt.reminders.kinds makes
#: them (the sweep passes sent rows by). Keyed by the local day's start as their due time:
#: the row's unique key then allows one a day per person and meeting.
REMINDER_KIND = "prep_chased"


def reminder_subject(meeting_id: int) -> str:
    return f"prep:{meeting_id}"


def reminder_day(zone: str, now: datetime) -> datetime:
    """The start of today in the team's zone, in UTC: the due time of today's chase."""
    return local_to_utc(today_in(zone, now), time(0), zone)


@dataclass(frozen=True, slots=True)
class Preparer:
    id: int
    name: str
    email: str
    is_active: bool


@dataclass(frozen=True, slots=True)
class PrepRow:
    """One preparation request of the meeting: its case, whose it is, whether it is done."""

    case_id: int
    person: Preparer
    done: bool


@dataclass(frozen=True, slots=True)
class Owes:
    person: Preparer
    #: Cases still to prepare.
    owed: int


@dataclass(frozen=True, slots=True)
class Readiness:
    done: int
    total: int
    #: Everyone who still owes, most owed first (then by name).
    owing: list[Owes]

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def readiness(rows: Iterable[PrepRow], covers: Mapping[int, Preparer]) -> Readiness:
    """`covers` maps a covered member's id to their cover (this meeting's invitations)."""
    done_by: dict[tuple[int, int], bool] = {}
    people: dict[int, Preparer] = {}
    for row in rows:
        person = covers.get(row.person.id, row.person)
        people[person.id] = person
        key = (row.case_id, person.id)
        done_by[key] = done_by.get(key, False) or row.done
    owed: dict[int, int] = {}
    for (_case, person_id), done in done_by.items():
        if not done:
            owed[person_id] = owed.get(person_id, 0) + 1
    owing = sorted(
        (Owes(people[pid], n) for pid, n in owed.items()),
        key=lambda o: (-o.owed, o.person.name),
    )
    return Readiness(sum(done_by.values()), len(done_by), owing)
