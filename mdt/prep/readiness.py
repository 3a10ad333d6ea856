"""Readiness at a glance: per case, per attendee, overall, and what is overdue."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from mdt.agenda.models import Case
from mdt.prep.models import PrepRequest


@dataclass
class CaseReadiness:
    case: Case
    done: int
    total: int


@dataclass
class PersonReadiness:
    name: str
    done: int = 0
    owed: list[PrepRequest] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.done + len(self.owed)


@dataclass
class Readiness:
    cases: list[CaseReadiness]
    people: list[PersonReadiness]
    overdue: list[PrepRequest]

    @property
    def done(self) -> int:
        return sum(c.done for c in self.cases)

    @property
    def total(self) -> int:
        return sum(c.total for c in self.cases)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 100


def readiness(cases: list[Case], now: datetime) -> Readiness:
    people: dict[int, PersonReadiness] = defaultdict(lambda: PersonReadiness(""))
    per_case, overdue = [], []
    for case in cases:
        per_case.append(
            CaseReadiness(case, sum(r.done for r in case.prep_requests), len(case.prep_requests))
        )
        for r in case.prep_requests:
            person = people[r.user_id]
            person.name = r.user.name
            if r.done:
                person.done += 1
            else:
                person.owed.append(r)
                if r.overdue(now):
                    overdue.append(r)
    ordered = sorted(people.values(), key=lambda p: (-len(p.owed), p.name))
    return Readiness(per_case, ordered, sorted(overdue, key=lambda r: r.due_at))
