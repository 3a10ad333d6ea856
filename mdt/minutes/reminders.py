"""The coordinators' nudge when a meeting's minutes have not gone out by the next working day.
Registered (as ``KINDS``) by create_app."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date, datetime, time, timedelta
from functools import partial

import sqlalchemy as sa
from sqlalchemy.orm import Session, contains_eager

from mdt.accounts.models import User
from mdt.core.days import local_to_utc, next_working_day, to_local
from mdt.core.web import external_url
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.meetings.reminders import active_coordinators, in_zones
from mdt.reminders.due import Due, Window, Words, of_shard, of_subjects, reminder_days
from mdt.reminders.kinds import ReminderKind, Source
from mdt.reminders.timing import previous_working_day
from mdt.teams.models import Team

#: The next working day after a meeting is at most this long after it (Christmas, Easter).
MINUTES_LOOKBACK = timedelta(days=8)


def minutes_not_sent(session: Session, window: Window) -> Iterator[Due]:
    """The team's coordinators, on the first working day after a meeting whose minutes have
    not gone out (it was not closed in meeting mode)."""
    days = reminder_days(session, window)
    if not days:
        return
    meetings = session.scalars(
        sa.select(Meeting)
        .join(Team, Team.id == Meeting.team_id)
        .where(
            Meeting.status != MeetingStatus.CANCELLED,
            Meeting.minutes_sent_at.is_(None),
            Meeting.ends_at <= window.until,
            Meeting.ends_at > window.since - MINUTES_LOOKBACK,
            of_subjects(window, Meeting.id, "minutes"),
            of_shard(window, Meeting.team_id),
            in_zones(days, _ended_before),
        )
        .options(contains_eager(Meeting.team))
    )
    late = []
    for meeting in meetings:
        zone = meeting.team.time_zone
        day = next_working_day(to_local(meeting.ends_at, zone).date())
        due_at = local_to_utc(day, window.at, zone)
        if due_at in window:
            late.append((meeting, due_at))
    coordinators = active_coordinators(session, (meeting.team_id for meeting, _ in late))
    for meeting, due_at in late:
        for coordinator in coordinators.get(meeting.team_id, []):
            yield _minutes_due(meeting, coordinator, due_at)


def _ended_before(zone: str, days: list[date]) -> sa.ColumnElement[bool]:
    """Ended on a day whose next working day is one of `days` (from the working day before)."""
    return sa.or_(
        *(
            sa.and_(
                Meeting.ends_at >= local_to_utc(previous_working_day(day), time(0), zone),
                Meeting.ends_at < local_to_utc(day, time(0), zone),
            )
            for day in days
        )
    )


def _minutes_due(meeting: Meeting, user: User, due_at: datetime) -> Due:
    return Due(
        kind="minutes_not_sent",
        subject=f"minutes:{meeting.id}",
        user=user,
        team=meeting.team,
        due_at=due_at,
        happens_at=meeting.starts_at,
        words=partial(_minutes_words, meeting),
    )


def _minutes_words(meeting: Meeting) -> Words:
    team = meeting.team
    when = to_local(meeting.starts_at, team.time_zone)
    return Words(
        f"Minutes not sent: {team.name} meeting on {when:%a %-d %b}",
        {
            "team": team.name,
            "meeting": f"{when:%A %-d %B %Y, %H:%M}",
            "link": external_url("minutes.close", meeting_id=meeting.id),
        },
    )


def _minutes_item(d: Mapping[str, str]) -> str:
    return (
        f"{d['team']}: the minutes of the meeting on {d['meeting']} have not been sent.\n"
        "Close the meeting to send them (cases without an outcome roll forward): "
        f"{d['link']}"
    )


MINUTES_NOT_SENT = ReminderKind(
    "minutes_not_sent",
    minutes_not_sent,
    _minutes_item,
    derived_from=(
        Source(
            Meeting,
            ("team_id", "ends_at", "status", "minutes_sent_at"),
            lambda _, meeting: [f"minutes:{meeting.id}"],
        ),
    ),
)

#: In the order the sweep derives them.
KINDS = (MINUTES_NOT_SENT,)
