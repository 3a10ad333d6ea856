"""Who may see, manage and run a meeting: the loaders every meeting page starts from."""

from __future__ import annotations

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, selectinload

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.extensions import db
from mdt.meetings.models import Invitation, Meeting, MeetingStatus
from mdt.teams.access import check_team_access
from mdt.teams.models import Team, TeamRole


def load_meeting(meeting_id: int) -> Meeting | None:
    """The meeting with its team and the memberships joined, then its invitations: two
    statements."""
    return (
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.id == meeting_id)
            .options(
                joinedload(Meeting.team).joinedload(Team.memberships),
                selectinload(Meeting.invitations).joinedload(Invitation.covering_for),
            )
        )
        .unique()
        .one_or_none()
    )


def get_meeting_or_404(meeting_id: int, manage: bool = False, cover: bool = False) -> Meeting:
    """404 for those outside the team (403 with `manage` for members who may not); with
    `cover`, the cover standing in for a member is let in too while the meeting is open."""
    meeting = load_meeting(meeting_id)
    if meeting is None:
        abort(404)
    if cover and not manage and covers_now(signed_in_user(), meeting):
        return meeting
    check_team_access(meeting.team, manage=manage)
    return meeting


def can_record_attendance(meeting: Meeting, user: User) -> bool:
    return (
        meeting.team.can_manage(user)
        or meeting.chair_id == user.id
        or meeting.minute_taker_id == user.id
        or any(m.user_id == user.id and m.role is TeamRole.CHAIR for m in meeting.team.memberships)
    )


# --- the cover standing in for a member (on a loaded meeting: invitations loaded) ---------


def is_open(meeting: Meeting) -> bool:
    """Still to be closed: its minutes not sent (closing sends them), nor cancelled."""
    return meeting.status is MeetingStatus.SCHEDULED and meeting.minutes_sent_at is None


def is_named_cover(user: User, meeting: Meeting) -> bool:
    """Named as a cover at this meeting (whether or not it is still open)."""
    return any(i.user_id == user.id and i.covering_for_id is not None for i in meeting.invitations)


def covers_now(user: User, meeting: Meeting) -> bool:
    """A cover who stands in for a member at this meeting and may see its cases now."""
    return is_open(meeting) and is_named_cover(user, meeting)
