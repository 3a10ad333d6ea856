"""Who cannot come to an occurrence, and whether every core discipline is still covered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from mdt.availability.models import Commitment, CommitmentKind
from mdt.core.calendar import local_to_utc
from mdt.teams.models import Membership, Team, TeamRole

QUORUM_ROLES = (TeamRole.CORE_MEMBER, TeamRole.CHAIR)


@dataclass
class Busy:
    """A person's commitments, expanded on demand and cached by local date."""

    commitments: list[Commitment]
    _by_day: dict[date, list[tuple[datetime, datetime, str]]] = field(default_factory=dict)

    def clashes(self, starts: datetime, ends: datetime) -> list[str]:
        found = []
        for day in _local_dates(starts, ends):
            for begin, finish, label in self._intervals(day):
                if begin < ends and starts < finish:
                    found.append(label)
        return sorted(set(found))

    def _intervals(self, day: date) -> list[tuple[datetime, datetime, str]]:
        if day not in self._by_day:
            self._by_day[day] = [i for c in self.commitments for i in _expand(c, day)]
        return self._by_day[day]


def _local_dates(starts: datetime, ends: datetime) -> list[date]:
    # Commitments are local to London-ish zones; a day either side covers any zone offset.
    first = (starts - timedelta(hours=14)).date()
    last = (ends + timedelta(hours=14)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _expand(c: Commitment, day: date) -> Iterable[tuple[datetime, datetime, str]]:
    if c.kind is CommitmentKind.ABSENCE:
        if c.start_date <= day <= (c.end_date or c.start_date):
            zone = ZoneInfo(c.time_zone)
            begin = datetime.combine(day, datetime.min.time(), tzinfo=zone)
            yield begin, begin + timedelta(days=1), c.label
        return
    if c.start_time is None or c.end_time is None or not c.rule.dates(day, day):
        return
    yield (
        local_to_utc(day, c.start_time, c.time_zone),
        local_to_utc(day, c.end_time, c.time_zone),
        c.label,
    )


@dataclass
class DisciplineCover:
    discipline: str
    free_members: list[str]
    free_deputies: list[str]

    @property
    def covered(self) -> bool:
        return bool(self.free_members or self.free_deputies)


@dataclass
class ClashReport:
    starts_at: datetime
    ends_at: datetime
    #: Member name -> what they have on at that time.
    clashes: dict[str, list[str]]
    disciplines: list[DisciplineCover]
    free_core_members: int

    @property
    def quorate(self) -> bool:
        return all(d.covered for d in self.disciplines)


class ClashChecker:
    """Checks occurrences against the commitments of a team's members and deputies.

    Built once per team (one query for every commitment), then cheap per occurrence.
    """

    def __init__(self, team: Team, commitments: Iterable[Commitment]) -> None:
        self.memberships: list[Membership] = list(team.memberships)
        by_user: dict[int, list[Commitment]] = defaultdict(list)
        for c in commitments:
            by_user[c.user_id].append(c)
        self.busy = {uid: Busy(cs) for uid, cs in by_user.items()}

    @staticmethod
    def people_of(team: Team) -> set[int]:
        ids = {m.user_id for m in team.memberships}
        return ids | {m.deputy_id for m in team.memberships if m.deputy_id}

    def _clashes(self, user_id: int, starts: datetime, ends: datetime) -> list[str]:
        busy = self.busy.get(user_id)
        return busy.clashes(starts, ends) if busy else []

    def check(self, starts: datetime, ends: datetime) -> ClashReport:
        clashes = {}
        free: set[int] = set()
        for m in self.memberships:
            found = self._clashes(m.user_id, starts, ends)
            if found:
                clashes[m.user.name] = found
            else:
                free.add(m.user_id)
        return ClashReport(
            starts,
            ends,
            clashes,
            self._disciplines(free, starts, ends),
            sum(1 for m in self.memberships if m.role in QUORUM_ROLES and m.user_id in free),
        )

    def _disciplines(
        self, free: set[int], starts: datetime, ends: datetime
    ) -> list[DisciplineCover]:
        covers: dict[str, DisciplineCover] = {}
        for m in self.memberships:
            if m.role not in QUORUM_ROLES:
                continue
            cover = covers.setdefault(m.discipline, DisciplineCover(m.discipline, [], []))
            if m.user_id in free:
                cover.free_members.append(m.user.name)
            elif m.deputy is not None and not self._clashes(m.deputy.id, starts, ends):
                cover.free_deputies.append(m.deputy.name)
        return sorted(covers.values(), key=lambda c: c.discipline)
