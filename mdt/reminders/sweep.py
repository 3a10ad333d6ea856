"""The sweep: create the reminders that have fallen due, skip the resolved, mail the rest.

Safe to run again at any time: rows are keyed by (kind, subject, person, due time), a
reminder is marked sent in the transaction that queues its email, and a person's digest from
a team is keyed by the day. The caller commits (the scheduler, under its sweep lock).

A sweep derives what fell due since the last committed sweep (``ReminderSweepMark``), at
most a week back, so most minutes derive nothing. Subjects that still matter from before
that are derived again over the week, by subject only: those changed since the last sweep
(``mdt/reminders/recheck.py``: a meeting booked after its reminder's due time), and, in a
sweep whose window holds a working day's digest time, those of unsent reminders (to skip
what was resolved, or bring back what is needed again) just before they could go out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import Session

from mdt.core.calendar import is_working_day, to_local
from mdt.core.web import external_url
from mdt.mail import outbox
from mdt.mail.models import OutboxMessage
from mdt.reminders import recheck
from mdt.reminders.due import NO_TEAM_ZONE, Due, Window
from mdt.reminders.kinds import produce
from mdt.reminders.models import (
    Reminder,
    ReminderDigest,
    ReminderPreference,
    ReminderStatus,
    ReminderSweepMark,
)
from mdt.reminders.timing import todays_digest_at
from mdt.teams.models import Team

#: How far back a sweep looks for what fell due: a scheduler down for longer than this
#: sends nothing that fell due before it (by then the meetings are long past).
CATCH_UP = timedelta(days=7)
#: The row of ReminderSweepMark.
MARK_ID = 1

Key = tuple[str, str, int, datetime]


@dataclass
class SweepResult:
    created: int = 0
    skipped: int = 0
    emails: int = 0
    reminders_sent: int = 0


def sweep(session: Session, now: datetime, at: time) -> SweepResult:
    result = SweepResult()
    look_back = now - CATCH_UP
    mark = session.get(ReminderSweepMark, MARK_ID)
    window = Window(since=_swept_until(mark, look_back, now), until=now, at=at)
    judging = _digest_time_in(session, window)
    again, considered = _produce_again(session, window, look_back, judging)
    produced = produce(session, window) | again
    result.created = _create_missing(session, produced)
    live = _still_wanted(session, produced, look_back, window, considered, result)
    _send(session, live, produced, now, at, result)
    if mark is None:
        session.add(ReminderSweepMark(id=MARK_ID, swept_until=now))
    else:
        mark.swept_until = now
    session.flush()
    return result


def _swept_until(mark: ReminderSweepMark | None, look_back: datetime, now: datetime) -> datetime:
    """Where this sweep starts: the last sweep's now, or a week back if there was none in
    the week (or the last was later than now: tests and `mdt bench` travel in time)."""
    if mark is None or mark.swept_until > now:
        return look_back
    return max(look_back, mark.swept_until)


def _digest_time_in(session: Session, window: Window) -> bool:
    """Whether the window holds a working day's digest time in a time zone in use: only then
    can a reminder waiting for a digest go out, so only then need the waiting ones be
    judged again (a weekend's wait would otherwise derive thousands of subjects a minute)."""
    zones = set(session.scalars(sa.select(Team.time_zone).distinct())) | {NO_TEAM_ZONE}
    return any(is_working_day(day) for zone in zones for day in window.days(zone))


def _produce_again(
    session: Session, window: Window, look_back: datetime, judging: bool
) -> tuple[dict[Key, Due], frozenset[str] | None]:
    """What is due, back to the earliest that matters, for the subjects changed since the
    last sweep (over the whole look-back: their reminders may have been due before they were
    booked) and, when digests can go (`judging`), for the subjects of unsent reminders from
    before the window. Also returns the subjects derived again, or None when every unsent
    reminder's subject was."""
    earliest, subjects = (
        _unsent_before(session, window.since, look_back)
        if judging
        else (window.since, frozenset[str]())
    )
    changed = recheck.take(session)
    considered = None if judging else frozenset(changed)
    if changed:
        earliest = look_back
    if not subjects and not changed:
        return {}, considered
    since = max(look_back, earliest - timedelta(seconds=1))
    again = Window(since=since, until=window.until, at=window.at, subjects=subjects | changed)
    return produce(session, again), considered


def _unsent_before(
    session: Session, since: datetime, look_back: datetime
) -> tuple[datetime, frozenset[str]]:
    rows = session.execute(
        sa.select(Reminder.subject, sa.func.min(Reminder.due_at))
        .where(_unsent(look_back), Reminder.due_at > look_back, Reminder.due_at <= since)
        .group_by(Reminder.subject)
    ).all()
    earliest = min((due_at for _, due_at in rows), default=since)
    return earliest, frozenset(subject for subject, _ in rows)


def _unsent(look_back: datetime) -> sa.ColumnElement[bool]:
    """Pending, or skipped within the look-back (it comes back if needed again)."""
    return sa.or_(
        Reminder.status == ReminderStatus.PENDING,
        sa.and_(Reminder.status == ReminderStatus.SKIPPED, Reminder.due_at > look_back),
    )


def _create_missing(session: Session, produced: dict[Key, Due]) -> int:
    if not produced:
        return 0
    earliest = min(due.due_at for due in produced.values())
    existing = {
        tuple(row)
        for row in session.execute(
            sa.select(Reminder.kind, Reminder.subject, Reminder.user_id, Reminder.due_at).where(
                Reminder.due_at >= earliest
            )
        )
    }
    missing = [due for key, due in produced.items() if key not in existing]
    session.add_all(
        Reminder(
            kind=due.kind,
            subject=due.subject,
            user_id=due.user.id,
            team_id=due.team.id if due.team is not None else None,
            due_at=due.due_at,
        )
        for due in missing
    )
    session.flush()
    return len(missing)


def _still_wanted(
    session: Session,
    produced: dict[Key, Due],
    look_back: datetime,
    window: Window,
    considered: frozenset[str] | None,
    result: SweepResult,
) -> list[Reminder]:
    """Unsent reminders whose kind still produces them; the others are marked skipped (and
    come back if their subject needs them again, say apologies withdrawn). Judged: those due
    in the window and those whose subjects were derived again (`considered`; None for all).
    The others wait, unjudged, for the next digest time."""
    judged = _unsent(look_back)
    if considered is not None:
        judged = sa.and_(
            judged,
            sa.or_(Reminder.due_at > window.since, Reminder.subject.in_(sorted(considered))),
        )
    unsent = session.scalars(
        sa.select(Reminder).where(judged).order_by(Reminder.due_at, Reminder.id)
    )
    live = []
    for reminder in unsent:
        wanted = reminder.key in produced
        if wanted:
            live.append(reminder)
        elif reminder.status is ReminderStatus.PENDING:
            result.skipped += 1
        reminder.status = ReminderStatus.PENDING if wanted else ReminderStatus.SKIPPED
    return live


def _send(
    session: Session,
    live: list[Reminder],
    produced: dict[Key, Due],
    now: datetime,
    at: time,
    result: SweepResult,
) -> None:
    groups: dict[tuple[int, int | None], list[Reminder]] = defaultdict(list)
    for reminder in live:
        groups[(reminder.user_id, reminder.team_id)].append(reminder)
    immediate = _wants_immediate(session, {user_id for user_id, _ in groups})
    digests_sent = _recent_digests(session, now)
    for (user_id, _), reminders in groups.items():
        if user_id in immediate:
            for reminder in reminders:
                _mail_alone(reminder, produced[reminder.key], now, result)
        else:
            _mail_digest(session, reminders, produced, now, at, digests_sent, result)


def _wants_immediate(session: Session, user_ids: set[int]) -> set[int]:
    if not user_ids:
        return set()
    return set(
        session.scalars(
            sa.select(ReminderPreference.user_id).where(
                ReminderPreference.user_id.in_(user_ids), ReminderPreference.immediate
            )
        )
    )


def _mail_alone(reminder: Reminder, due: Due, now: datetime, result: SweepResult) -> None:
    body = render_template(
        "reminders/single.txt",
        person=due.user,
        source=due.source,
        item=_render_item(due),
        preferences_link=external_url("reminders.preferences"),
    )
    message = outbox.compose([due.user.email], f"Reminder: {due.headline}", body)
    _mark_sent([reminder], outbox.enqueue(message, flush=False), now, result)


def _mail_digest(
    session: Session,
    reminders: list[Reminder],
    produced: dict[Key, Due],
    now: datetime,
    at: time,
    digests_sent: set[tuple[int, int | None, date]],
    result: SweepResult,
) -> None:
    """At most one digest a day per person and team, at the digest time on working days."""
    first = produced[reminders[0].key]
    team, person, zone = first.team, first.user, first.zone
    team_id = team.id if team is not None else None
    digest_at = todays_digest_at(now, zone, at)
    ready = [r for r in reminders if digest_at is not None and r.due_at <= digest_at]
    today = to_local(now, zone).date()
    if not ready or (person.id, team_id, today) in digests_sent:
        return
    dues = sorted((produced[r.key] for r in ready), key=lambda d: (d.happens_at, d.kind))
    body = render_template(
        "reminders/digest.txt",
        person=person,
        source=first.source,
        items=[_render_item(due) for due in dues],
        preferences_link=external_url("reminders.preferences"),
    )
    subject = f"Your MDT reminders: {first.source}, {today:%a %-d %b %Y}"
    row = outbox.enqueue(outbox.compose([person.email], subject, body), flush=False)
    session.add(ReminderDigest(user_id=person.id, team_id=team_id, day=today, outbox_message=row))
    digests_sent.add((person.id, team_id, today))
    _mark_sent(ready, row, now, result)


def _recent_digests(session: Session, now: datetime) -> set[tuple[int, int | None, date]]:
    """(person, team, local day) of the digests sent yesterday, today or tomorrow in UTC terms,
    which covers "today" in any team's time zone."""
    days = [(now + timedelta(days=d)).date() for d in (-1, 0, 1)]
    rows = session.execute(
        sa.select(ReminderDigest.user_id, ReminderDigest.team_id, ReminderDigest.day).where(
            ReminderDigest.day.in_(days)
        )
    )
    return {tuple(row) for row in rows}  # type: ignore[misc]


def _render_item(due: Due) -> str:
    return render_template(f"reminders/items/{due.kind}.txt", item=due.details).strip()


def _mark_sent(
    reminders: Sequence[Reminder], message: OutboxMessage, now: datetime, result: SweepResult
) -> None:
    for reminder in reminders:
        reminder.status, reminder.sent_at = ReminderStatus.SENT, now
        reminder.outbox_message = message
    result.emails += 1
    result.reminders_sent += len(reminders)
