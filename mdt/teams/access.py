"""Who may see and manage a team: the loaders every view of a team's pages starts from."""

from __future__ import annotations

from functools import cache

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, raiseload

from mdt.accounts.access import signed_in_user
from mdt.extensions import db
from mdt.teams.models import Membership, Team


def get_team_or_404(team_id: int, manage: bool = False, people: bool = True) -> Team:
    """Non-members get 404 (the team's existence is not theirs to know); members who may
    not manage get 403. With `people=False` the memberships come without their people and
    deputies (roles and disciplines only: what the team report needs), and reading one
    raises rather than starting a query per member. One statement: the memberships are
    joined to the team (a team has tens of members; a second statement cost more)."""
    query = _team_statement(people)
    team = db.session.scalars(query, {"team_id": team_id}).unique().one_or_none()
    return check_team_access(team, manage)


@cache
def _team_statement(people: bool) -> sa.Select[tuple[Team]]:
    """Built once for each `people` (every team page starts here), the team bound per
    request."""
    members = joinedload(Team.memberships)
    if not people:
        members = members.options(raiseload(Membership.user), raiseload(Membership.deputy))
    team_id = sa.bindparam("team_id", type_=sa.Integer)
    return sa.select(Team).where(Team.id == team_id).options(members)


def check_team_access(team: Team | None, manage: bool = False) -> Team:
    """The team, if the current user may see it (and manage it, when asked): 404 otherwise,
    or 403 for a member who may not manage it. Its memberships must be loaded."""
    if team is None or not team.can_view(signed_in_user()):
        abort(404)
    if manage and not team.can_manage(signed_in_user()):
        abort(403)
    return team


def get_membership_or_404(team: Team, membership_id: int) -> Membership:
    membership = next((m for m in team.memberships if m.id == membership_id), None)
    return membership or abort(404)
