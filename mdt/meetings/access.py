"""Who may see, manage and run a meeting: the loaders every meeting page starts from."""

from __future__ import annotations

import enum
from functools import cache

import sqlalchemy as sa
from flask import abort
from sqlalchemy.orm import joinedload, lazyload, raiseload
from sqlalchemy.orm.attributes import set_committed_value

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.extensions import db
from mdt.meetings.models import Invitation, Meeting, MeetingStatus
from mdt.teams.access import check_team_access
from mdt.teams.models import Membership, Team


def load_meeting(meeting_id: int, *, people: bool = True, deputies: bool = False) -> Meeting | None:
    """The meeting with its team and the memberships joined, then its invitations: two
    statements. With `people=False` the memberships come without their people (roles and
    disciplines only: what deciding who may run the meeting needs); the members' deputies
    only when asked for (the reply form names them). Reading either otherwise raises,
    unless it is loaded already (an invitee is, with their invitation)."""
    params = {"meeting_id": meeting_id}
    statement = _meeting_statement(people, deputies)
    meeting = db.session.scalars(statement, params).unique().one_or_none()
    if meeting is not None:
        invitations = db.session.scalars(_invitations_statement(), params)
        set_committed_value(meeting, "invitations", list(invitations))
    return meeting


# Built once (every meeting page starts here), the meeting's id bound per request.
_MEETING_ID = sa.bindparam("meeting_id", type_=sa.Integer)


@cache
def _meeting_statement(people: bool, deputies: bool) -> sa.Select[tuple[Meeting]]:
    """Without the deputies: joining each membership's deputy (a person and their
    organisation, two outer joins, nearly always empty) made this statement about a quarter
    slower to read (region, 25 members); without the people too, about half."""
    memberships = joinedload(Meeting.team).joinedload(Team.memberships)
    if not people:
        memberships = memberships.options(
            raiseload(Membership.user, sql_only=True),
            raiseload(Membership.deputy, sql_only=True),
        )
    elif not deputies:
        memberships = memberships.raiseload(Membership.deputy, sql_only=True)
    return (
        sa.select(Meeting)
        .where(Meeting.id == _MEETING_ID)
        .options(memberships, lazyload(Meeting.invitations))  # invitations: set by load_meeting
    )


@cache
def _invitations_statement() -> sa.Select[tuple[Invitation]]:
    """The invitations read directly and set on the meeting: as a selectinload the same
    rows took about 1 ms more (its IN of the parents' keys, built and bound each time)."""
    return (
        sa.select(Invitation)
        .where(Invitation.meeting_id == _MEETING_ID)
        .options(joinedload(Invitation.covering_for))
        .order_by(Invitation.id)
    )


class Need(enum.Flag):
    """What a page needs of the person asking for a meeting; combine them with `|`."""

    #: Those who may see the team: its members and administrators (404 for anyone else).
    VIEW = enum.auto()
    #: The team's members only: administrators too only if members (404 otherwise).
    MEMBER = enum.auto()
    #: Those who manage the team (403 for its other members).
    MANAGE = enum.auto()
    #: Those who run the meeting, `Meeting.can_run` (403 for anyone else let in).
    RUN = enum.auto()
    #: Also the cover standing in for a member, while the meeting is open (not with MANAGE).
    COVER = enum.auto()


def get_meeting_or_404(
    meeting_id: int, need: Need = Need.VIEW, *, people: bool = True, deputies: bool = False
) -> Meeting:
    """The meeting, if the signed-in user has what the page `need`s: 404 for those outside
    the team, 403 for those inside it who may not do what the page does. `people` and
    `deputies`: as load_meeting loads the members."""
    meeting = load_meeting(meeting_id, people=people, deputies=deputies)
    if meeting is None:
        abort(404)
    user = signed_in_user()
    if not (Need.COVER in need and Need.MANAGE not in need and covers_now(user, meeting)):
        check_team_access(meeting.team, manage=Need.MANAGE in need)
        if Need.MEMBER in need and meeting.team.membership_of(user) is None:
            abort(404)
    if Need.RUN in need and not meeting.can_run(user):
        abort(403)
    return meeting


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
