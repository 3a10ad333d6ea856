"""The coordinators' nudge when a meeting's minutes have not gone out by the next working day.
Registered in ``mdt/reminders/kinds.py``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

from mdt.accounts.models import User
from mdt.core.calendar import local_to_utc, next_working_day, to_local
from mdt.core.web import external_url
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.reminders.due import Due, Window
from mdt.teams.models import Team

#: The next working day after a meeting is at most this long after it (Christmas, Easter).
MINUTES_LOOKBACK = timedelta(days=8)


def minutes_not_sent(session: Session, window: Window) -> Iterator[Due]:
    """The team's coordinators, on the first working day after a meeting whose minutes have
    not gone out (it was not closed in meeting mode)."""
    meetings = session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.minutes_sent_at.is_(None),
            Meeting.ends_at <= window.until,
            Meeting.ends_at > window.since - MINUTES_LOOKBACK,
        )
        .options(joinedload(Meeting.team).selectinload(Team.memberships))
    )
    for meeting in meetings:
        zone = meeting.team.time_zone
        day = next_working_day(to_local(meeting.ends_at, zone).date())
        due_at = local_to_utc(day, window.at, zone)
        if due_at not in window:
            continue
        for coordinator in meeting.team.active_coordinators():
            yield _minutes_due(meeting, coordinator, due_at)


def _minutes_due(meeting: Meeting, user: User, due_at: datetime) -> Due:
    team = meeting.team
    when = to_local(meeting.starts_at, team.time_zone)
    return Due(
        kind="minutes_not_sent",
        subject=f"minutes:{meeting.id}",
        user=user,
        team=team,
        due_at=due_at,
        happens_at=meeting.starts_at,
        headline=f"Minutes not sent: {team.name} meeting on {when:%a %-d %b}",
        details={
            "team": team.name,
            "meeting": f"{when:%A %-d %B %Y, %H:%M}",
            "link": external_url("minutes.close", meeting_id=meeting.id),
        },
    )
