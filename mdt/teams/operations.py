from __future__ import annotations

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.core.names import name_key
from mdt.extensions import db
from mdt.teams.models import Membership, Team, TeamRole
from mdt.teams.signals import member_joined


class LastCoordinator(Exception):
    """A team must keep at least one coordinator."""


def name_taken(name: str, except_team: Team | None = None) -> bool:
    found = db.session.scalar(sa.select(Team).where(Team.name_key == name_key(name)))
    return found is not None and found is not except_team


def create_team(coordinator: User, coordinator_discipline: str, **fields: str) -> Team:
    team = Team(**_clean(fields))
    team.memberships.append(
        Membership(user=coordinator, role=TeamRole.COORDINATOR, discipline=coordinator_discipline)
    )
    db.session.add(team)
    db.session.flush()
    return team


def update_team(team: Team, revision: int | None, **fields: str) -> None:
    team.check(revision)
    for name, value in _clean(fields).items():
        setattr(team, name, value)
    team.bump()
    db.session.flush()


def add_member(
    team: Team, user: User, role: TeamRole, discipline: str, deputy: User | None = None
) -> Membership:
    membership = Membership(user=user, role=role, discipline=discipline, deputy=deputy)
    team.memberships.append(membership)
    team.bump()
    db.session.flush()
    member_joined.send(team, membership=membership)  # meetings invite them to those to come
    return membership


def change_member(
    membership: Membership, role: TeamRole, discipline: str, deputy: User | None
) -> None:
    if membership.role is TeamRole.COORDINATOR and role is not TeamRole.COORDINATOR:
        _keep_a_coordinator(membership)
    membership.role, membership.discipline, membership.deputy = role, discipline, deputy
    membership.team.bump()
    db.session.flush()


def remove_member(membership: Membership) -> None:
    if membership.role is TeamRole.COORDINATOR:
        _keep_a_coordinator(membership)
    team = membership.team
    team.memberships.remove(membership)
    team.bump()
    db.session.flush()


def _keep_a_coordinator(leaving: Membership) -> None:
    others = [
        m for m in leaving.team.memberships if m is not leaving and m.role is TeamRole.COORDINATOR
    ]
    if not others:
        raise LastCoordinator()


def _clean(fields: dict[str, str]) -> dict[str, str]:
    return {k: (v or "").strip() for k, v in fields.items()}
