"""Who cannot come to an occurrence, and whether every core discipline is still covered."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from mdt.availability.models import Commitment, CommitmentKind
from mdt.core.days import local_to_utc
from mdt.core.recurrence import Rule
from mdt.teams.models import Team, TeamRole

QUORUM_ROLES = (TeamRole.CORE_MEMBER, TeamRole.CHAIR)


@dataclass(frozen=True, slots=True)
class _Block:
    """A commitment as the checker expands it, copied once from the tracked row (and its
    rule built once): "find a slot" expands each on every day it looks at."""

    label: str
    zone: str
    #: An absence: whole local days from `first` to `last`.
    absence: bool
    first: date
    last: date
    #: A recurring block: its rule and hours (None for an absence, or a block without hours,
    #: which never clashes).
    rule: Rule | None
    start_time: time | None
    end_time: time | None

    @classmethod
    def of(cls, c: Commitment) -> _Block:
        if c.kind is CommitmentKind.ABSENCE:
            last = c.end_date or c.start_date
            return cls(c.label, c.time_zone, True, c.start_date, last, None, None, None)
        rule = c.rule if c.start_time is not None and c.end_time is not None else None
        start = c.start_date
        return cls(c.label, c.time_zone, False, start, start, rule, c.start_time, c.end_time)


@dataclass
class Busy:
    """A person's commitments, expanded on demand and cached by local date."""

    blocks: list[_Block]
    _by_day: dict[date, list[tuple[datetime, datetime, str]]] = field(default_factory=dict)

    @classmethod
    def of(cls, commitments: Iterable[Commitment]) -> Busy:
        return cls([_Block.of(c) for c in commitments])

    def clashes(self, days: list[date], starts: datetime, ends: datetime) -> list[str]:
        """What overlaps [starts, ends), given the local dates it may fall on."""
        found = []
        for day in days:
            for begin, finish, label in self._intervals(day):
                if begin < ends and starts < finish:
                    found.append(label)
        return sorted(set(found))

    def overlaps(self, days: list[date], starts: datetime, ends: datetime) -> bool:
        """Whether anything overlaps [starts, ends): `clashes` without naming what."""
        for day in days:
            for begin, finish, _label in self._intervals(day):
                if begin < ends and starts < finish:
                    return True
        return False

    def _intervals(self, day: date) -> list[tuple[datetime, datetime, str]]:
        found = self._by_day.get(day)
        if found is None:
            found = self._by_day[day] = [i for b in self.blocks for i in _expand(b, day)]
        return found


def _local_dates(starts: datetime, ends: datetime) -> list[date]:
    # Commitments are local to London-ish zones; a day either side covers any zone offset.
    first = (starts - timedelta(hours=14)).date()
    last = (ends + timedelta(hours=14)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _expand(b: _Block, day: date) -> Iterable[tuple[datetime, datetime, str]]:
    if b.absence:
        if b.first <= day <= b.last:
            begin = datetime.combine(day, datetime.min.time(), tzinfo=ZoneInfo(b.zone))
            yield begin, begin + timedelta(days=1), b.label
        return
    if b.rule is None or not b.rule.dates(day, day):
        return
    yield (
        local_to_utc(day, b.start_time, b.zone),  # type: ignore[arg-type]
        local_to_utc(day, b.end_time, b.zone),  # type: ignore[arg-type]
        b.label,
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


@dataclass(frozen=True, slots=True)
class _Member:
    """A membership as the checker reads it, copied once from the tracked row: an
    occurrence is checked against every member, and "find a slot" checks hundreds."""

    user_id: int
    name: str
    counts_for_quorum: bool
    discipline: str
    deputy_id: int | None
    deputy_name: str | None


class ClashChecker:
    """Checks occurrences against the commitments of a team's members and deputies.

    Built once per team (one query for every commitment), then cheap per occurrence.
    """

    def __init__(self, team: Team, commitments: Iterable[Commitment]) -> None:
        self.members = [
            _Member(
                m.user_id,
                m.user.name,
                m.role in QUORUM_ROLES,
                m.discipline,
                m.deputy.id if m.deputy is not None else None,
                m.deputy.name if m.deputy is not None else None,
            )
            for m in team.memberships
        ]
        self.core = [m for m in self.members if m.counts_for_quorum]
        self.disciplines = sorted({m.discipline for m in self.core})
        by_user: dict[int, list[Commitment]] = defaultdict(list)
        for c in commitments:
            by_user[c.user_id].append(c)
        self.busy = {uid: Busy.of(cs) for uid, cs in by_user.items()}

    @staticmethod
    def people_of(team: Team) -> set[int]:
        ids = {m.user_id for m in team.memberships}
        return ids | {m.deputy_id for m in team.memberships if m.deputy_id}

    def _is_busy(self, user_id: int, days: list[date], starts: datetime, ends: datetime) -> bool:
        busy = self.busy.get(user_id)
        return busy is not None and busy.overlaps(days, starts, ends)

    def check(self, starts: datetime, ends: datetime) -> ClashReport:
        days = _local_dates(starts, ends)
        clashes = {}
        free: set[int] = set()
        for m in self.members:
            busy = self.busy.get(m.user_id)
            found = busy.clashes(days, starts, ends) if busy else []
            if found:
                clashes[m.name] = found
            else:
                free.add(m.user_id)
        return ClashReport(
            starts,
            ends,
            clashes,
            self._covers(free, days, starts, ends),
            sum(1 for m in self.core if m.user_id in free),
        )

    def quorum(self, starts: datetime, ends: datetime) -> tuple[bool, int]:
        """What "find a slot" scores an occurrence by, without naming anyone: whether every
        core discipline has a free member or deputy (`ClashReport.quorate`), and how many
        core members are free (`free_core_members`)."""
        return self.quorum_of(self.busy_people(starts, ends))

    def quorum_of(self, busy: frozenset[int]) -> tuple[bool, int]:
        """`quorum` given who is busy (`busy_people`), so a caller that also needs the
        people expands the commitments once."""
        free = [m for m in self.core if m.user_id not in busy]
        covered = {m.discipline for m in free}
        covered |= {
            m.discipline for m in self.core if m.deputy_id is not None and m.deputy_id not in busy
        }
        return len(covered) == len(self.disciplines), len(free)

    def busy_people(self, starts: datetime, ends: datetime) -> frozenset[int]:
        """The user ids of members and deputies with something on in [starts, ends): what
        "find a slot" scores each occurrence by (`check` names them, and is dearer)."""
        days = _local_dates(starts, ends)
        return frozenset(u for u, busy in self.busy.items() if busy.overlaps(days, starts, ends))

    def _covers(
        self, free: set[int], days: list[date], starts: datetime, ends: datetime
    ) -> list[DisciplineCover]:
        covers = {d: DisciplineCover(d, [], []) for d in self.disciplines}
        for m in self.core:
            cover = covers[m.discipline]
            if m.user_id in free:
                cover.free_members.append(m.name)
            elif m.deputy_id is not None and not self._is_busy(m.deputy_id, days, starts, ends):
                cover.free_deputies.append(m.deputy_name)  # type: ignore[arg-type]
        return list(covers.values())
