"""Minutes react to what meetings announce (mdt.meetings.signals)."""

from __future__ import annotations

from mdt.meetings.models import Meeting
from mdt.meetings.signals import meeting_booked
from mdt.minutes.operations import take_waiting


@meeting_booked.connect
def take_waiting_cases(meeting: Meeting, **_: object) -> None:
    """A newly booked meeting takes the cases waiting since the team's last closed one."""
    take_waiting(meeting)
