"""What is reminded: one producer function per kind, registered in KINDS.

A producer gets the sweep's window and yields a ``Due`` for every reminder of its kind whose
due time falls in it and whose subject still needs it (a cancelled meeting yields nothing).
The sweep calls every producer on every run, so a producer is also how the sweep learns that
a reminder it created earlier is no longer wanted. To add a kind (prep, action points):
write its producer, add it to KINDS, and add ``templates/reminders/items/<kind>.txt``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload, selectinload

from mdt.accounts.models import User
from mdt.core.calendar import local_to_utc, to_local
from mdt.core.web import external_url
from mdt.meetings.models import Invitation, Meeting, MeetingStatus, Reply
from mdt.reminders.timing import previous_working_day
from mdt.teams.models import Team


@dataclass(frozen=True)
class Window:
    """Due times after `since` up to and including `until` (the sweep's now)."""

    since: datetime
    until: datetime
    #: The local time of day reminders "the day before" are due (the digest time).
    at: time

    def __contains__(self, moment: datetime) -> bool:
        return self.since < moment <= self.until


@dataclass(frozen=True, eq=False)
class Due:
    kind: str
    #: "<type>:<id>" of what it is about.
    subject: str
    user: User
    team: Team
    due_at: datetime
    #: When the thing it is about happens; orders the items of a digest.
    happens_at: datetime
    #: A short line for an email subject: the team and a time, never a patient's details.
    headline: str
    #: What templates/reminders/items/<kind>.txt shows.
    details: Mapping[str, str]

    @property
    def key(self) -> tuple[str, str, int, datetime]:
        return (self.kind, self.subject, self.user.id, self.due_at)


Producer = Callable[[Session, Window], Iterable[Due]]

#: The longest a meeting can be after the working day before it: Christmas or Easter
#: (five days) with a weekend meeting's margin.
MEETING_LOOKAHEAD = timedelta(days=8)


def meeting_tomorrow(session: Session, window: Window) -> Iterator[Due]:
    """Each invitee without apologies, at the reminder time on the working day before."""
    meetings = session.scalars(
        sa.select(Meeting)
        .where(
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > window.until,
            Meeting.starts_at <= window.until + MEETING_LOOKAHEAD,
        )
        .options(joinedload(Meeting.team), selectinload(Meeting.invitations))
    )
    for meeting in meetings:
        zone = meeting.team.time_zone
        day = to_local(meeting.starts_at, zone).date()
        due_at = local_to_utc(previous_working_day(day), window.at, zone)
        if due_at in window:
            for invitation in meeting.invitations:
                if invitation.reply is not Reply.APOLOGIES and invitation.user.is_active:
                    yield _meeting_due(meeting, invitation, due_at)


def _meeting_due(meeting: Meeting, invitation: Invitation, due_at: datetime) -> Due:
    team, zone = meeting.team, meeting.team.time_zone
    when = to_local(meeting.starts_at, zone)
    covering = invitation.covering_for
    return Due(
        kind="meeting_tomorrow",
        subject=f"meeting:{meeting.id}",
        user=invitation.user,
        team=team,
        due_at=due_at,
        happens_at=meeting.starts_at,
        headline=f"{team.name} meeting on {when:%a %-d %b} at {when:%H:%M}",
        details={
            "team": team.name,
            "when": f"{when:%A %-d %B %Y, %H:%M} ({zone})",
            "where": meeting.location or "not set yet",
            "video": meeting.video_link,
            "reply": invitation.reply.label,
            "covering": covering.name if covering is not None else "",
            "outside_protected": meeting.outside_protected_reason or "",
            "link": external_url("meetings.detail", meeting_id=meeting.id),
        },
    )


KINDS: dict[str, Producer] = {
    "meeting_tomorrow": meeting_tomorrow,
}


def produce(session: Session, window: Window) -> dict[tuple[str, str, int, datetime], Due]:
    return {due.key: due for producer in KINDS.values() for due in producer(session, window)}
