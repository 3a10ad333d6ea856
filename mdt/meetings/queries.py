from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from mdt.extensions import db
from mdt.meetings.models import Attendance, Invitation, Meeting, MeetingStatus


def meeting_in_occurrence(series_id: int, original_date: date) -> Meeting | None:
    return db.session.scalar(
        sa.select(Meeting).where(
            Meeting.series_id == series_id,
            Meeting.occurrence_date == original_date,
            Meeting.status != MeetingStatus.CANCELLED,
        )
    )


def booked_occurrences(team_id: int) -> dict[tuple[int, date], Meeting]:
    rows = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.team_id == team_id,
            Meeting.series_id.is_not(None),
            Meeting.status != MeetingStatus.CANCELLED,
        )
    )
    return {(m.series_id, m.occurrence_date): m for m in rows if m.series_id and m.occurrence_date}


def upcoming_for_team(team_id: int, since: datetime) -> list[Meeting]:
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.ends_at >= since)
            .order_by(Meeting.starts_at)
            .options(selectinload(Meeting.invitations))
        )
    )


def upcoming_for_user(user_id: int, since: datetime) -> list[tuple[Meeting, Invitation]]:
    rows = db.session.execute(
        sa.select(Meeting, Invitation)
        .join(Invitation, Invitation.meeting_id == Meeting.id)
        .where(Invitation.user_id == user_id, Meeting.ends_at >= since)
        .order_by(Meeting.starts_at)
        .options(sa.orm.joinedload(Meeting.team))
    )
    return [(row.Meeting, row.Invitation) for row in rows]


def attendance_history(team_id: int) -> dict[int, tuple[int, int]]:
    """Per person: (meetings attended in person or remotely, meetings with attendance recorded)."""
    attended = sa.func.sum(
        sa.case((Invitation.attendance.in_([Attendance.PRESENT, Attendance.REMOTE]), 1), else_=0)
    )
    rows = db.session.execute(
        sa.select(Invitation.user_id, attended, sa.func.count(Invitation.id))
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(Meeting.team_id == team_id, Invitation.attendance.is_not(None))
        .group_by(Invitation.user_id)
    )
    return {user_id: (int(yes or 0), int(total)) for user_id, yes, total in rows}
