"""The generator's organisations, people and teams (the first person is the benchmark user,
the first team the benchmark team)."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, time
from typing import Any

from bench.scales import (
    BENCH_EMAIL,
    BENCH_PASSWORD,
    BENCH_TEAM,
    BENCH_TEAM_SIZE,
    OTHER_TYPES,
    STAFF,
    ZONE,
    Person,
    Scale,
    TeamPlan,
    nhs_numbers,
)
from mdt.accounts.models import User
from mdt.accounts.passwords import hash_password
from mdt.core.names import name_key
from mdt.core.tokens import new_token
from mdt.organisations.models import Organisation
from mdt.teams.models import Membership, Team


class PeopleRows:
    """Rows for organisations, people and teams, in memory, each with its next id."""

    def __init__(self, scale: Scale, today: date, seed: int = 9) -> None:
        self.scale, self.today, self.rnd = scale, today, random.Random(seed)
        self.now = datetime.combine(today, time(9, 0), tzinfo=UTC)
        self.rows: dict[type, list[dict[str, Any]]] = {}
        self.people: list[Person] = []
        self.hood_people: list[list[Person]] = []
        self.hood_practices: list[list[int]] = []
        self.teams: list[TeamPlan] = []
        self._ids: dict[type, int] = {}
        self.bench_user_id = 0
        self.feed_token = new_token()
        self.numbers = nhs_numbers()

    def add(self, model: type, **row: Any) -> int:
        new_id = self._ids.get(model, 0) + 1
        self._ids[model] = new_id
        self.rows.setdefault(model, []).append({"id": new_id} | row)
        return new_id

    def hoods(self) -> int:
        return max(1, self.scale.teams // 12)

    def organisations(self) -> None:
        hoods = self.hoods()
        per_hood = self.scale.organisations // hoods
        password = hash_password(BENCH_PASSWORD)
        for hood in range(hoods):
            gps = max(1, per_hood - 2)
            kinds = ["gp_practice"] * gps + ["adult_social_care", OTHER_TYPES[hood % 4]]
            orgs = []
            for n, kind in enumerate(kinds[:per_hood]):
                name = f"{'Practice' if kind == 'gp_practice' else kind.replace('_', ' ').title()}"
                org_name = f"{name} {hood + 1}.{n + 1}"
                org = self.add(Organisation, name=org_name, name_key=name_key(org_name), type=kind)
                orgs.append((org, kind))
            self.hood_practices.append([o for o, k in orgs if k == "gp_practice"])
            self.hood_people.append(self._staff(hood, orgs, password))

    def _staff(self, hood: int, orgs: list[tuple[int, str]], password: str) -> list[Person]:
        wanted = self.scale.users // self.hoods()
        by_org = [[(org, p, d) for p, d, n in STAFF[kind] for _ in range(n)] for org, kind in orgs]
        # Round the organisations so that even a small practice-scale team mixes them.
        slots = [s for row in itertools.zip_longest(*by_org) for s in row if s is not None]
        people = []
        for n in range(wanted):
            org, profession, discipline = slots[n % len(slots)]
            first = not self.people
            email = BENCH_EMAIL if first else f"person{len(self.people) + 1}@bench.example.org"
            user_id = self.add(
                User,
                name="Bench User" if first else f"{profession} {len(self.people) + 1}",
                email=email,
                email_key=email,
                profession="GP" if first else profession,
                organisation_id=org,
                password_hash=password if first else None,
                created_at=datetime(2023, 1, 2, 9, 0, tzinfo=UTC),
            )
            person = Person(user_id, org, profession, "General practice" if first else discipline)
            self.people.append(person)
            people.append(person)
        self.bench_user_id = self.people[0].id
        return people

    def teams_and_members(self) -> None:
        per_hood = max(1, self.scale.teams // self.hoods())
        for hood, people in enumerate(self.hood_people):
            for n in range(per_hood):
                first = not self.teams
                name = BENCH_TEAM if first else f"Neighbourhood {hood + 1} MDT {n + 1}"
                team_id = self.add(
                    Team,
                    name=name,
                    name_key=name_key(name),
                    time_zone=ZONE,
                    default_location="Room 1",
                )
                size = BENCH_TEAM_SIZE if first else self.rnd.randint(*self.scale.team_size)
                size = min(size, len(people))
                members = self._members(people, size, first)
                self.teams.append(TeamPlan(team_id, members, hood))
                for person, role in members:
                    self.add(
                        Membership,
                        team_id=team_id,
                        user_id=person.id,
                        role=role,
                        discipline=person.discipline,
                    )
        self._bench_user_joins_more_teams()

    def _members(self, people: list[Person], size: int, bench: bool) -> list[tuple[Person, str]]:
        pool = self.rnd.sample(people, len(people))
        if bench:
            pool.remove(self.people[0])
            pool.insert(0, self.people[0])
        coordinator = next(
            (p for p in pool if p.discipline == "Coordination" and not bench), pool[0]
        )
        chair = next(p for p in pool if p.discipline == "General practice" and p is not coordinator)
        rest = [p for p in pool if p not in (coordinator, chair)][: size - 2]
        members = [(coordinator, "coordinator"), (chair, "chair")]
        for p in rest:
            members.append((p, "attendee" if self.rnd.random() < 0.15 else "core_member"))
        return members

    def _bench_user_joins_more_teams(self) -> None:
        bench = self.people[0]
        for plan in self.teams[1:4]:
            if all(p is not bench for p, _ in plan.members):
                plan.members.append((bench, "core_member"))
                self.add(
                    Membership,
                    team_id=plan.id,
                    user_id=bench.id,
                    role="core_member",
                    discipline=bench.discipline,
                )
