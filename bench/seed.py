"""`mdt bench-seed`: a practice's, a region's or a nation's data, generated fast and the same
every time for the same scale and anchor day (a seeded random generator).

Dates are relative to the anchor day (today by default): meetings run from `months_back`
months before it to `months_ahead` after, so the benchmark always has past meetings with
minutes and actions and coming ones with preparation owed.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, time, timedelta
from typing import Any

from bench.scales import ZONE
from bench.seed_meetings import MeetingRows
from mdt.accounts.models import User
from mdt.actions.models import ActionChange, ActionPoint
from mdt.agenda.models import Case
from mdt.availability.models import Commitment
from mdt.calendar.models import CalendarFeed
from mdt.core.tokens import token_hash
from mdt.meetings.models import Invitation, Meeting
from mdt.minutes.models import Discussion
from mdt.organisations.models import Organisation
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.slots.models import SlotSeries
from mdt.teams.models import Membership, Team


class Generator(MeetingRows):
    """Builds the tables' rows in memory stage by stage, in foreign-key order: the people and
    teams, then the meetings of a chunk of teams at a time, then commitments."""

    def stages(self, teams_per_chunk: int) -> Iterator[str]:
        """Names each stage once its rows are in `rows`, for the caller to `take` and load
        before the next (ids and random numbers run on across stages)."""
        self.organisations()
        self.teams_and_members()
        yield "people and teams"
        total = len(self.teams)
        for first in range(0, total, teams_per_chunk):
            self.meetings(self.teams[first : first + teams_per_chunk])
            yield f"teams {min(first + teams_per_chunk, total):,}/{total:,}"
        self.extras()
        yield "commitments"

    def take(self) -> dict[type, list[dict[str, Any]]]:
        rows, self.rows = self.rows, {}
        return rows

    # --- commitments and the benchmark user's feed -----------------------------------------

    def extras(self) -> None:
        rnd = self.rnd
        for person in self.people:
            for n in range(rnd.randint(1, 2)):
                self.add(
                    Commitment,
                    user_id=person.id,
                    kind="recurring",
                    label="Morning surgery" if n == 0 else "Afternoon visits",
                    start_date=date(2023, 1, 2),
                    end_date=None,
                    frequency="weekly",
                    interval=1,
                    weekday=rnd.randint(0, 4),
                    start_time=time(8, 30) if n == 0 else time(13, 0),
                    end_time=time(12, 30) if n == 0 else time(17, 0),
                    time_zone=ZONE,
                )
            leave = self.today + timedelta(days=rnd.randint(0, 80))
            self.add(
                Commitment,
                user_id=person.id,
                kind="absence",
                label="Annual leave",
                start_date=leave,
                end_date=leave + timedelta(days=4),
                frequency=None,
                interval=1,
                weekday=None,
                start_time=None,
                end_time=None,
                time_zone=ZONE,
            )
        self.add(
            CalendarFeed,
            user_id=self.bench_user_id,
            token_hash=token_hash(self.feed_token),
            created_at=self.now,
        )


#: Foreign-key order.
TABLES = [
    Organisation,
    User,
    Team,
    Membership,
    SlotSeries,
    Patient,
    Meeting,
    Invitation,
    Case,
    PrepRequest,
    Discussion,
    ActionPoint,
    ActionChange,
    Commitment,
    CalendarFeed,
]
