"""Bringing a person's calendars into line when how meetings reach them changes.

A person's meetings reach them by email invitation, through their feed, or both
(mdt.calendar.operations.deliveries). When that changes (they choose another way, or make or
stop their feed link while the choice is automatic), the meetings still to come would
otherwise sit twice in their email calendar and their feed, or in neither. So:
- those that stop coming by email get a CANCEL, which takes them out of the email calendar
  (the email says the meeting is not cancelled: it is in the feed);
- those that start coming by email get a REQUEST, which puts them in the email calendar.
Operations flush and queue mail; the caller commits.
"""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import joinedload

from mdt.accounts.models import User
from mdt.calendar import invitations
from mdt.calendar import operations as ops
from mdt.calendar.models import MeetingDelivery
from mdt.core.days import to_local
from mdt.core.web import external_url
from mdt.extensions import db
from mdt.mail import outbox
from mdt.meetings.models import Invitation, Meeting, MeetingStatus

BY_EMAIL = (MeetingDelivery.EMAIL, MeetingDelivery.BOTH)
#: What each direction of change sends (the keys of invitations.METHODS).
NOW_IN_FEED = "now in your calendar feed"
NOW_BY_EMAIL = "now sent by email"


def current(user: User) -> MeetingDelivery:
    return ops.deliveries([user.id])[user.id]


def choose(user: User, delivery: MeetingDelivery, now: datetime) -> int:
    """Save the person's choice; returns how many meetings were sent to bring them in line."""
    before = current(user)
    ops.set_delivery(user, delivery)
    return bring_into_line(user, before, now)


def make_link(user: User, by: User | None, now: datetime) -> tuple[str, int]:
    before = current(user)
    token = ops.issue_person_link(user, by)
    return token, bring_into_line(user, before, now)


def stop_link(user: User, now: datetime) -> tuple[bool, int]:
    before = current(user)
    stopped = ops.revoke_person_link(user)
    return stopped, bring_into_line(user, before, now) if stopped else 0


def upcoming(user: User, now: datetime) -> list[Meeting]:
    """The scheduled meetings still to come that the person is invited to."""
    return list(
        db.session.scalars(
            sa.select(Meeting)
            .join(Invitation, Invitation.meeting_id == Meeting.id)
            .where(
                Invitation.user_id == user.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > now,
            )
            .options(
                joinedload(Meeting.team),
                joinedload(Meeting.chair),
                joinedload(Meeting.minute_taker),
            )
            .order_by(Meeting.starts_at, Meeting.id)
        )
    )


def count_upcoming(user: User, now: datetime) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count(Meeting.id))
            .join(Invitation, Invitation.meeting_id == Meeting.id)
            .where(
                Invitation.user_id == user.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > now,
            )
        )
        or 0
    )


def bring_into_line(user: User, before: MeetingDelivery, now: datetime) -> int:
    after = current(user)
    if (before in BY_EMAIL) == (after in BY_EMAIL):
        return 0
    what = NOW_BY_EMAIL if after in BY_EMAIL else NOW_IN_FEED
    meetings = upcoming(user, now)
    for meeting in meetings:
        _send(meeting, user, what, after)
    return len(meetings)


def _send(meeting: Meeting, person: User, what: str, after: MeetingDelivery) -> None:
    when = to_local(meeting.starts_at, meeting.team.time_zone)
    subject = f"MDT meeting {what}: {meeting.team.name}, {when:%a %d %b %Y %H:%M}"
    link = external_url("meetings.detail", meeting_id=meeting.id)
    body = render_template(
        "calendar/email/delivery.txt",
        meeting=meeting,
        person=person,
        when=when,
        link=link,
        into_feed=what == NOW_IN_FEED,
        both=after is MeetingDelivery.BOTH,
    )
    message = outbox.compose([person.email], subject, body)
    invitations.attach(message, meeting, person, what)
    outbox.enqueue(message)
