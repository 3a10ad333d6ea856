"""Meeting invitations that calendar apps accept (iTIP RFC 5546 over email, iMIP RFC 6047).

A booking or a reschedule sends METHOD:REQUEST, a cancellation METHOD:CANCEL with
STATUS:CANCELLED; every one carries the meeting's UID and its SEQUENCE (the revision), so
the attendee's calendar updates the one event. The email becomes multipart/alternative:
the text, the same as HTML, and text/calendar with a `method` parameter equal to METHOD.
"""

from __future__ import annotations

import dataclasses
from email.message import EmailMessage
from email.utils import parseaddr

from flask import current_app, render_template

from mdt.accounts.models import User
from mdt.calendar import ics
from mdt.calendar.feed import PRODID, components
from mdt.calendar.ics import Component, Prop
from mdt.calendar.operations import invited_by_email
from mdt.calendar.sources import meeting_event
from mdt.core.web import external_url
from mdt.core.zones import writable
from mdt.meetings.models import Meeting

#: What each change to a meeting sends (as _tell_invitees names the change).
METHODS = {
    "booked": "REQUEST",
    "rescheduled": "REQUEST",
    "moved to another place": "REQUEST",
    "updated": "REQUEST",
    "cancelled": "CANCEL",
    # A change of how meetings reach the person (mdt.calendar.delivery): the meeting itself
    # is unchanged, it leaves or joins their email calendar.
    "now in your calendar feed": "CANCEL",
    "now sent by email": "REQUEST",
}


def shown(meeting: Meeting) -> tuple[object, ...]:
    """Everything an invitation for `meeting` shows but its version: when this changes, the
    invitees' calendars need an update (same UID, SEQUENCE + 1)."""
    event = meeting_event(meeting)
    return (
        event.starts_at,
        event.ends_at,
        event.zone,
        event.summary,
        event.location,
        event.description,
        event.url,
    )


def recipients(meeting: Meeting) -> set[int]:
    """The invitees who get meetings as calendar invitations (their choice; see README)."""
    return invited_by_email(i.user_id for i in meeting.invitations)


def organizer() -> Prop:
    """The sending address (no replies are asked for: see attendee)."""
    name, address = parseaddr(current_app.config["MAIL_SENDER"])
    return Prop("ORGANIZER", f"mailto:{address}", (("CN", name),) if name else ())


def attendee(person: User, method: str) -> Prop:
    """RSVP=FALSE: nothing reads the replies calendar apps would send to the sender's address
    (an iMIP REPLY mailbox is not part of the app), so people reply on the meeting's page,
    as the email and the event's description say."""
    params: tuple[tuple[str, str], ...] = (("CN", person.name), ("ROLE", "REQ-PARTICIPANT"))
    if method == "REQUEST":
        params += (("PARTSTAT", "NEEDS-ACTION"), ("RSVP", "FALSE"))
    return Prop("ATTENDEE", f"mailto:{person.email}", params)


def invitation(meeting: Meeting, person: User, method: str) -> bytes:
    event = meeting_event(meeting, "CANCELLED" if method == "CANCEL" else "CONFIRMED")
    years = (event.starts_at.year,)
    if not writable(event.zone, years):  # an invitation is never empty: UTC is always right
        event = dataclasses.replace(event, zone="UTC")
    calendar = Component("VCALENDAR")
    calendar.add("VERSION", "2.0")
    calendar.add("PRODID", PRODID)
    calendar.add("CALSCALE", "GREGORIAN")
    calendar.add("METHOD", method)
    calendar.children = components([event], years, organizer(), attendee(person, method))
    return ics.serialise(calendar)


def attach(message: EmailMessage, meeting: Meeting, person: User, what: str) -> None:
    """Add the HTML version and the invitation to a text email about `meeting`."""
    method = METHODS[what]
    text = message.get_content()
    link = external_url("meetings.detail", meeting_id=meeting.id)
    html = render_template(
        "calendar/email/meeting.html", text=text, subject=message["Subject"], link=link
    )
    message.add_alternative(html, subtype="html")
    # Base64 keeps the calendar's bytes exactly (CRLF line ends, folded lines) on any route.
    message.add_alternative(
        invitation(meeting, person, method),
        maintype="text",
        subtype="calendar",
        cte="base64",
        params={"method": method, "charset": "utf-8"},
    )
