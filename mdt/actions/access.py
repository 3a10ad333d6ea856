"""Who may see an action and change it; and the action clause of who may see a case
(mdt.patients.access): whoever owns an action on a case sees the case and its patient."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.actions import operations as ops
from mdt.actions.models import ActionPoint
from mdt.extensions import db
from mdt.meetings.access import covers_now
from mdt.patients.access import CaseRoute, add_case_route
from mdt.teams.access import get_team_or_404
from mdt.teams.models import Team, TeamRole


def _acting_on(user: User) -> sa.Select[tuple[int]]:
    """The cases `user` owns an action on."""
    return sa.select(ActionPoint.case_id).where(
        ActionPoint.owner_id == user.id, ActionPoint.case_id.is_not(None)
    )


def owns_action_on(user: User, case_id: int) -> bool:
    return (
        db.session.scalar(
            sa.select(ActionPoint.id)
            .where(ActionPoint.owner_id == user.id, ActionPoint.case_id == case_id)
            .limit(1)
        )
        is not None
    )


add_case_route(CaseRoute(cases=_acting_on, reaches=owns_action_on))


def get_action_or_404(action_id: int, change: bool = False) -> ActionPoint:
    """The owner, the team's members and, until the minutes are sent, the cover at the
    action's meeting may see an action (mdt.patients.access); the owner and the team's
    coordinators may change it. Everyone else: 404 (or 403 for one who may see it)."""
    action = db.session.get(ActionPoint, action_id)
    if action is None:
        abort(404)
    user = signed_in_user()
    is_owner = action.owner_id == user.id
    if not (
        is_owner or action.team.membership_of(user) is not None or covers_now(user, action.meeting)
    ):
        abort(404)
    if change and not ops.can_change(action, user):
        abort(403)
    return action


def can_see_team_actions(team: Team, user: User) -> bool:
    membership = team.membership_of(user)
    return membership is not None and membership.role in (TeamRole.COORDINATOR, TeamRole.CHAIR)


def get_team_for_actions_or_404(team_id: int) -> Team:
    """The team, for its coordinators and chairs."""
    team = get_team_or_404(team_id)
    if team.membership_of(signed_in_user()) is None:
        abort(404)  # patient data: members only, administrators included
    if not can_see_team_actions(team, signed_in_user()):
        abort(403)
    return team
