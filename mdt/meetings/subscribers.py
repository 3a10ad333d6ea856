"""Meetings react to what teams announce, and tell slots and teams what they keep."""

from __future__ import annotations

from mdt.core.time import now_utc
from mdt.meetings import queries
from mdt.meetings.operations import invite_to_upcoming
from mdt.slots import bookings
from mdt.teams import attendance
from mdt.teams.models import Membership, Team
from mdt.teams.signals import member_joined

bookings.register(queries)
attendance.register(queries.attendance_history)


@member_joined.connect
def invite_to_upcoming_meetings(team: Team, *, membership: Membership, **_: object) -> None:
    invite_to_upcoming(team, membership, now_utc())
