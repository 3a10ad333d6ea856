"""The loader of a meeting for the person who runs it (mdt.dashboard.queries says who)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.dashboard.queries import RUN_ROLES
from mdt.extensions import db
from mdt.meetings.models import Meeting
from mdt.teams.models import Team


def runs_meeting(user: User, meeting: Meeting) -> bool:
    """A coordinator or chair of its team, or the meeting's own chair (a member)."""
    membership = meeting.team.membership_of(user)
    if membership is None:
        return False
    return membership.role in RUN_ROLES or meeting.chair_id == user.id


def get_run_meeting_or_404(meeting_id: int) -> Meeting:
    """404 outside the team (its meetings are not theirs to know of), 403 for a member who
    does not run it."""
    meeting = db.session.scalars(
        sa.select(Meeting)
        .where(Meeting.id == meeting_id)
        .options(joinedload(Meeting.team).joinedload(Team.memberships))
    ).first()
    if meeting is None or meeting.team.membership_of(signed_in_user()) is None:
        abort(404)
    if not runs_meeting(signed_in_user(), meeting):
        abort(403)
    return meeting
