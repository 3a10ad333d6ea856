"""Helpers for the reminder stories: London wall-clock times, the scheduler's minute run
in this process at a chosen moment, and the reminder emails the outbox holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import time_machine
from flask import Flask
from sqlalchemy.orm import Session

from mdt.extensions import db
from mdt.mail import outbox
from mdt.mail.models import OutboxMessage, OutboxStatus
from mdt.meetings import operations as meetings
from mdt.meetings.models import Meeting, Reply
from mdt.teams.models import Team
from scheduler import jobs
from tests.factories import Factory

LONDON = ZoneInfo("Europe/London")
REMINDER_SUBJECTS = ("Reminder:", "Your MDT reminders:")


def london(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A London wall-clock time as the aware UTC instant the database keeps."""
    return datetime(year, month, day, hour, minute, tzinfo=LONDON).astimezone(UTC)


def run_scheduler(app: Flask, moment: datetime) -> jobs.TickResult:
    """One minute's work of the scheduler process (sweep, then deliver), at `moment`."""
    with time_machine.travel(moment, tick=False):
        return jobs.tick(app, moment)


def run_scheduler_each_minute(app: Flask, start: datetime, end: datetime) -> None:
    moment = start
    while moment <= end:
        run_scheduler(app, moment)
        moment += timedelta(minutes=1)


@dataclass
class Mail:
    to: str
    subject: str
    body: str
    status: OutboxStatus
    sent_at: datetime | None


def reminder_mail(session: Session) -> list[Mail]:
    """Every reminder email in the outbox, oldest first, as the database has it now (and as
    it goes out: one queued in bulk is composed as the sender would)."""
    session.expire_all()
    rows = session.scalars(
        sa.select(OutboxMessage)
        .where(sa.or_(*(OutboxMessage.subject.startswith(s) for s in REMINDER_SUBJECTS)))
        .order_by(OutboxMessage.id)
    )
    return [
        Mail(
            row.recipients,
            row.subject,
            outbox.message_of(row).get_body().get_content(),  # type: ignore[union-attr]
            row.status,
            row.sent_at,
        )
        for row in rows
    ]


def meeting_on(make: Factory, team: Team, starts: datetime, **over: object) -> Meeting:
    return make.meeting(team, starts_at=starts, ends_at=starts + timedelta(minutes=90), **over)


def send_apologies(app: Flask, meeting_id: int, user_id: int) -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        invitation = next(i for i in meeting.invitations if i.user_id == user_id)
        meetings.reply(meeting, invitation, Reply.APOLOGIES, None)
        db.session.commit()


def cancel_meeting(app: Flask, meeting_id: int, reason: str = "Chair unwell") -> None:
    with app.app_context():
        meeting = db.session.get(Meeting, meeting_id)
        meetings.cancel(meeting, None, reason)
        db.session.commit()


def choose_immediate(app: Flask, user_id: int) -> None:
    from mdt.accounts.models import User
    from mdt.reminders import operations

    with app.app_context():
        operations.set_preference(db.session.get(User, user_id), immediate=True)
        db.session.commit()
