"""Factories for the core entities: make.user(**over) and friends, on the test's session."""

from __future__ import annotations

import itertools
from typing import Any

from sqlalchemy.orm import Session

from mdt.accounts.models import User
from mdt.accounts.operations import email_key
from mdt.accounts.passwords import hash_password
from mdt.organisations.models import Organisation, OrganisationType
from mdt.teams.models import Membership, Team, TeamRole

_counter = itertools.count(1)
_PASSWORD_HASH: dict[str, str] = {}


class Factory:
    PASSWORD = "violet-tractor-harbour-42"

    def __init__(self, session: Session) -> None:
        self.session = session

    def _save(self, obj: Any) -> Any:
        self.session.add(obj)
        self.session.commit()
        return obj

    def organisation(self, **over: Any) -> Organisation:
        n = next(_counter)
        fields = {"name": f"Practice {n}", "type": OrganisationType.GP_PRACTICE} | over
        return self._save(Organisation(**fields))

    def user(self, password: str | None = PASSWORD, **over: Any) -> User:
        n = next(_counter)
        if "organisation" not in over and "organisation_id" not in over:
            over["organisation"] = self.organisation()
        fields = {
            "name": f"Person {n}",
            "email": f"person{n}@example.org",
            "profession": "General practitioner",
        } | over
        if password is not None:
            if password not in _PASSWORD_HASH:  # argon2 is slow on purpose: hash once a run
                _PASSWORD_HASH[password] = hash_password(password)
            fields["password_hash"] = _PASSWORD_HASH[password]
        user = User(**fields)
        user.email_key = email_key(user.email)
        return self._save(user)

    def admin(self, **over: Any) -> User:
        return self.user(is_admin=True, profession="Administrator", **over)

    def team(self, coordinator: User | None = None, **over: Any) -> Team:
        n = next(_counter)
        team = Team(**({"name": f"Team {n}"} | over))
        team.memberships.append(
            Membership(
                user=coordinator or self.user(),
                role=TeamRole.COORDINATOR,
                discipline="Coordination",
            )
        )
        return self._save(team)

    def member(
        self,
        team: Team,
        user: User | None = None,
        role: TeamRole = TeamRole.CORE_MEMBER,
        discipline: str = "General practice",
        deputy: User | None = None,
    ) -> Membership:
        membership = Membership(
            team=team, user=user or self.user(), role=role, discipline=discipline, deputy=deputy
        )
        return self._save(membership)
