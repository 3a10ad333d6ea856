"""The agenda cut-off: the end of the day N working days before the meeting, locally."""

from __future__ import annotations

from datetime import date, datetime

from mdt.core.calendar import end_of_day, to_local, working_days_before
from mdt.meetings.models import Meeting
from mdt.teams.models import Team


def closing_day(meeting: Meeting) -> date:
    """The last local day on which routine cases can be added."""
    return closing_day_of(meeting.starts_at, meeting.team)


def closing_day_of(starts_at: datetime, team: Team) -> date:
    """closing_day() of the team's meeting that starts then (for callers holding rows)."""
    meeting_day = to_local(starts_at, team.time_zone).date()
    return working_days_before(meeting_day, team.agenda_cutoff_days)


def agenda_cutoff(meeting: Meeting) -> datetime:
    return end_of_day(closing_day(meeting), meeting.team.time_zone)
