"""The agenda cut-off: the end of the day N working days before the meeting, locally."""

from __future__ import annotations

from datetime import date, datetime

from flask import Flask

from mdt.core.days import end_of_day, to_local, working_days_before
from mdt.meetings.models import Meeting


def closing_day(meeting: Meeting) -> date:
    """The last local day on which routine cases can be added."""
    meeting_day = to_local(meeting.starts_at, meeting.team.time_zone).date()
    return closing_day_of(meeting_day, meeting.team.agenda_cutoff_days)


def closing_day_of(meeting_day: date, cutoff_days: int) -> date:
    """The same from the meeting's local day and its team's cut-off, for lists of rows."""
    return working_days_before(meeting_day, cutoff_days)


def agenda_cutoff(meeting: Meeting) -> datetime:
    return end_of_day(closing_day(meeting), meeting.team.time_zone)


def init_app(app: Flask) -> None:
    """Meeting pages show the day the agenda closes."""
    app.add_template_global(closing_day)
