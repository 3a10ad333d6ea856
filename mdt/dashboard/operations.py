""" "Remind those who still owe": one email each, through the outbox, at most once a day per
person and meeting, each recorded as a reminder row sent (mdt.reminders.models.Reminder)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask import render_template

from mdt.accounts.models import User
from mdt.agenda.cutoff import closing_day
from mdt.core.days import to_local, today_in
from mdt.core.web import external_url
from mdt.dashboard.owing import REMINDER_KIND, Owes, readiness, reminder_day, reminder_subject
from mdt.dashboard.preparation import Agenda, agenda_rows, covers_in, invitation_rows
from mdt.extensions import db
from mdt.mail import outbox
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.reminders.models import Reminder, ReminderStatus


@dataclass
class Reminded:
    """Names: who was sent a reminder now, who had one today already, and who owes but
    cannot be reminded (their account is closed)."""

    sent: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)


def remind_owing(meeting: Meeting, by: User, now: datetime) -> Reminded:
    reminded = Reminded()
    if meeting.status is not MeetingStatus.SCHEDULED or meeting.ends_at <= now:
        return reminded  # nothing is owed for a meeting that is over
    invitations = invitation_rows([meeting.id]).get(meeting.id, [])
    agenda = agenda_rows([meeting.id]).get(meeting.id, Agenda())
    report = readiness(agenda.preps, covers_in(invitations))
    day = reminder_day(meeting.team.time_zone, now)
    today = set(
        db.session.scalars(
            sa.select(Reminder.user_id).where(
                Reminder.kind == REMINDER_KIND,
                Reminder.subject == reminder_subject(meeting.id),
                Reminder.due_at == day,
            )
        )
    )
    for owes in report.owing:
        person = owes.person
        if not person.is_active:
            reminded.closed.append(person.name)
        elif person.id in today:
            reminded.already.append(person.name)
        else:
            _remind(meeting, owes, by, day, now)
            reminded.sent.append(person.name)
    db.session.flush()
    return reminded


def _remind(meeting: Meeting, owes: Owes, by: User, day: datetime, now: datetime) -> None:
    message = outbox.enqueue(_email(meeting, owes, by, now))
    db.session.add(
        Reminder(
            kind=REMINDER_KIND,
            subject=reminder_subject(meeting.id),
            user_id=owes.person.id,
            team_id=meeting.team_id,
            due_at=day,
            status=ReminderStatus.SENT,
            sent_at=now,
            outbox_message_id=message.id,
        )
    )


def _email(meeting: Meeting, owes: Owes, by: User, now: datetime):  # type: ignore[no-untyped-def]
    """The team and the meeting's time in the subject; no patient, here or in the body."""
    team = meeting.team
    when = to_local(meeting.starts_at, team.time_zone)
    closes = closing_day(meeting)
    body = render_template(
        "dashboard/email/prep_owed.txt",
        person=owes.person,
        by=by,
        meeting=meeting,
        when=when,
        owed=owes.owed,
        closes=closes,
        closed=closes < today_in(team.time_zone, now),
        link=external_url("prep.mine"),
    )
    subject = f"Preparation still owed: {team.mdt_name} meeting on {when:%a %-d %b}"
    return outbox.compose([owes.person.email], subject, body)


def said(reminded: Reminded) -> str:
    """What the person who pressed the button is told."""
    parts = []
    if reminded.sent:
        parts.append(f"Reminder sent to {_names(reminded.sent)}.")
    if reminded.already:
        parts.append(f"Already reminded today, so not sent again: {_names(reminded.already)}.")
    if reminded.closed:
        parts.append(f"Not reminded, their account is closed: {_names(reminded.closed)}.")
    return " ".join(parts) or "Nobody still owes preparation for this meeting: nothing was sent."


def _names(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"
