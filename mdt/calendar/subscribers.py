"""Calendars react to what meetings announce (mdt.meetings.signals)."""

from __future__ import annotations

from email.message import EmailMessage

from mdt.accounts.models import User
from mdt.calendar import invitations
from mdt.meetings.models import Meeting
from mdt.meetings.signals import invitees_emailed, shown_in_calendars


@invitees_emailed.connect
def attach_invitations(
    meeting: Meeting, *, what: str, emails: list[tuple[User, EmailMessage]], **_: object
) -> None:
    """A calendar invitation (.ics) goes with the email to those who chose one."""
    with_invitation = invitations.recipients(meeting)
    for person, message in emails:
        if person.id in with_invitation:
            invitations.attach(message, meeting, person, what)


@shown_in_calendars.connect
def shown(meeting: Meeting, **_: object) -> tuple[object, ...]:
    return invitations.shown(meeting)
