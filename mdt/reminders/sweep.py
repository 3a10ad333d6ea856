"""The sweep: create the reminders that have fallen due, skip the resolved, mail the rest.

Safe to run again at any time: rows are keyed by (kind, subject, person, due time), a
reminder is marked sent in the transaction that queues its email, and a person's digest from
a team is keyed by the day. The caller commits (the scheduler, under its sweep lock).

A sweep derives what fell due since the last committed sweep (``ReminderSweepMark``), at
most a week back, so most minutes derive nothing. What still matters from before that is
derived again: the subjects changed since the last sweep, over the week, by subject only
(``mdt/reminders/recheck.py``: a meeting booked after its reminder's due time); and, in a
sweep whose window holds a working day's digest time, everything back to the oldest unsent
reminder, so that each is judged (skipped if resolved, brought back if needed again) just
before it could go out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import lru_cache, partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.core.calendar import is_working_day, to_local
from mdt.core.db import Array, Background, among, insert_many
from mdt.core.web import external_url
from mdt.mail import outbox
from mdt.reminders import recheck, texts
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
    produced, considered = _derive(session, window, look_back)
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


def _derive(
    session: Session, window: Window, look_back: datetime
) -> tuple[dict[Key, Due], frozenset[str] | None]:
    """What is due, and the subjects whose unsent reminders that judges: None for all.

    When digests can go (the window holds a digest time), everything due back to the oldest
    unsent reminder, for every subject, in one derivation: each unsent reminder is judged
    just before it could go out, and the derivation a catch-up's 17,000 waiting reminders
    needed by subject cost more than all subjects' over the same days. (Back over the whole
    look-back if something changed since the last sweep.) Otherwise, what fell due in the
    window, and, for the subjects changed since the last sweep, what is due over the whole
    look-back: their reminders may have been due before they were booked."""
    changed = recheck.take(session)
    if _digest_time_in(session, window):
        oldest = look_back if changed else _oldest_unsent(session, window.since, look_back)
        if oldest is not None:  # a due time is after `since`: derive from just before it
            since = max(look_back, oldest - timedelta(seconds=1))
            window = replace(window, since=min(window.since, since))
        return produce(session, window), None
    produced = produce(session, window)
    subjects = frozenset(changed)
    if subjects:
        again = Window(since=look_back, until=window.until, at=window.at, subjects=subjects)
        produced |= produce(session, again)
    return produced, subjects


def _oldest_unsent(session: Session, since: datetime, look_back: datetime) -> datetime | None:
    """The due time of the oldest unsent reminder from before `since` (within the look-back)."""
    return session.scalar(
        sa.select(sa.func.min(_R.due_at)).where(
            _unsent(look_back), _R.due_at > look_back, _R.due_at <= since
        )
    )


def _unsent(look_back: datetime) -> sa.ColumnElement[bool]:
    """Pending, or skipped within the look-back (it comes back if needed again)."""
    return sa.or_(
        _R.status == ReminderStatus.PENDING,
        sa.and_(_R.status == ReminderStatus.SKIPPED, _R.due_at > look_back),
    )


#: The reminder table's columns: the sweep reads and writes thousands of rows, and Core
#: rows cost less than the ORM's (it loads no Reminder object).
_REMINDERS = Reminder.__table__
_R = _REMINDERS.c


def _create_missing(session: Session, produced: dict[Key, Due]) -> int:
    if not produced:
        return 0
    earliest = min(due.due_at for due in produced.values())
    existing = {
        (kind, subject, user_id, due_at)
        for kind, subject, user_id, due_at in session.execute(
            sa.select(_R.kind, _R.subject, _R.user_id, _R.due_at).where(_R.due_at >= earliest)
        )
    }
    missing = [due for key, due in produced.items() if key not in existing]
    if missing:
        # One INSERT, not an object each: a catch-up creates thousands.
        insert_many(
            session,
            Reminder.__table__,
            [
                {
                    "kind": due.kind,
                    "subject": due.subject,
                    "user_id": due.user.id,
                    "team_id": due.team.id if due.team is not None else None,
                    "due_at": due.due_at,
                }
                for due in missing
            ],
        )
    return len(missing)


def _still_wanted(
    session: Session,
    produced: dict[Key, Due],
    look_back: datetime,
    window: Window,
    considered: frozenset[str] | None,
    result: SweepResult,
) -> list[sa.Row[Any]]:
    """Unsent reminders whose kind still produces them; the others are marked skipped (and
    come back if their subject needs them again, say apologies withdrawn). Judged: those due
    in the window and those whose subjects were derived again (`considered`; None for all).
    The others wait, unjudged, for the next digest time."""
    judged = _unsent(look_back)
    if considered is not None:
        judged = sa.and_(
            judged, sa.or_(_R.due_at > window.since, among(_R.subject, sorted(considered)))
        )
    unsent = session.execute(
        # The key (kind, subject, user_id, due_at) as row[1:5].
        sa.select(_R.id, _R.kind, _R.subject, _R.user_id, _R.due_at, _R.team_id, _R.status)
        .where(judged)
        .order_by(_R.due_at, _R.id)
    )
    live, skip, revive = [], [], []
    for row in unsent:
        if row[1:5] in produced:
            live.append(row)
            if row.status is ReminderStatus.SKIPPED:
                revive.append(row.id)
        elif row.status is ReminderStatus.PENDING:
            skip.append(row.id)
    _set_status(session, skip, ReminderStatus.SKIPPED)
    _set_status(session, revive, ReminderStatus.PENDING)
    result.skipped = len(skip)
    return live


def _set_status(session: Session, ids: list[int], status: ReminderStatus) -> None:
    if ids:
        session.execute(sa.update(_REMINDERS).where(among(_R.id, ids)).values(status=status))


@dataclass
class _Email:
    """One email of the sweep: its words, the reminders it sends, and the day's digest it is
    (None for a reminder alone)."""

    letter: outbox.Letter
    reminder_ids: list[int]
    digest: tuple[int, int | None, date] | None = None


def _send(
    session: Session,
    live: list[sa.Row[Any]],
    produced: dict[Key, Due],
    now: datetime,
    at: time,
    result: SweepResult,
) -> None:
    if not live:
        return
    groups: dict[tuple[int, int | None], list[sa.Row[Any]]] = defaultdict(list)
    for reminder in live:
        groups[(reminder.user_id, reminder.team_id)].append(reminder)
    immediate = _wants_immediate(session)
    digests_sent = _recent_digests(session, now)
    preferences_link = external_url("reminders.preferences")

    def emails() -> Iterator[_Email]:
        for (user_id, _), reminders in groups.items():
            if user_id in immediate:
                yield from (_alone(r, produced[_key(r)], preferences_link) for r in reminders)
            elif email := _digest(reminders, produced, now, at, digests_sent, preferences_link):
                yield email

    _queue(session, emails(), now, result)


def _key(reminder: sa.Row[Any]) -> Key:
    return reminder[1:5]  # type: ignore[no-any-return]  # as _still_wanted selects it


def _wants_immediate(session: Session) -> set[int]:
    """Everyone who chose it: few, and asking about thousands by id cost more."""
    return set(
        session.scalars(sa.select(ReminderPreference.user_id).where(ReminderPreference.immediate))
    )


def _alone(reminder: sa.Row[Any], due: Due, preferences_link: str) -> _Email:
    words = due.words()
    body = texts.alone(
        due.user.name, due.source, texts.item(due.kind, words.details), preferences_link
    )
    letter = outbox.Letter(due.user.email, f"Reminder: {words.headline}", body)
    return _Email(letter, [reminder.id])


@dataclass(frozen=True)
class _Day:
    """Today in a time zone, as its digests see it."""

    today: date
    #: Today's digest time if it has come on a working day, else None.
    digest_at: datetime | None
    #: As a digest's subject names it, e.g. "Fri 4 Dec 2026".
    named: str


@lru_cache(maxsize=64)
def _day_in(zone: str, now: datetime, at: time) -> _Day:
    today = to_local(now, zone).date()
    return _Day(today, todays_digest_at(now, zone, at), f"{today:%a %-d %b %Y}")


def _digest(
    reminders: list[sa.Row[Any]],
    produced: dict[Key, Due],
    now: datetime,
    at: time,
    digests_sent: set[tuple[int, int | None, date]],
    preferences_link: str,
) -> _Email | None:
    """At most one digest a day per person and team, at the digest time on working days."""
    first = produced[reminders[0][1:5]]
    team, person = first.team, first.user
    team_id = team.id if team is not None else None
    day = _day_in(first.zone, now, at)
    if day.digest_at is None or (person.id, team_id, day.today) in digests_sent:
        return None
    ready = [r for r in reminders if r.due_at <= day.digest_at]
    if not ready:
        return None
    dues = sorted((produced[r[1:5]] for r in ready), key=_in_digest)
    items = [texts.item(due.kind, due.words().details) for due in dues]
    body = texts.digest(person.name, first.source, items, preferences_link)
    subject = f"Your MDT reminders: {first.source}, {day.named}"
    digests_sent.add((person.id, team_id, day.today))
    return _Email(
        outbox.Letter(person.email, subject, body),
        [r.id for r in ready],
        (person.id, team_id, day.today),
    )


def _in_digest(due: Due) -> tuple[datetime, str]:
    """The order of a digest's items: what happens first, first."""
    return (due.happens_at, due.kind)


#: Emails queued a batch at a time: PostgreSQL writes one while the next is composed.
_BATCH = 1000


def _queue(session: Session, emails: Iterable[_Email], now: datetime, result: SweepResult) -> None:
    """Queue the emails and mark their reminders sent, in the caller's transaction: a
    statement per table for each batch, not an object each. The words of the next batch are
    worked out (Python) while the last is written (the database): a region's first digest
    after a week writes 8,600 emails and marks 18,000 reminders sent."""
    with Background(session) as background:
        batch: list[_Email] = []
        for email in emails:
            batch.append(email)
            if len(batch) == _BATCH:
                background.submit(partial(_write, batch, now))
                batch = []
            result.emails += 1
            result.reminders_sent += len(email.reminder_ids)
        if batch:
            background.submit(partial(_write, batch, now))


def _write(emails: list[_Email], now: datetime, connection: sa.Connection) -> None:
    message_ids = outbox.enqueue_texts(connection, [email.letter for email in emails])
    digests = [
        {"user_id": user_id, "team_id": team_id, "day": day, "outbox_message_id": message_id}
        for email, message_id in zip(emails, message_ids, strict=True)
        if email.digest is not None
        for user_id, team_id, day in [email.digest]
    ]
    insert_many(connection, ReminderDigest.__table__, digests)
    sent = [
        (reminder_id, message_id)
        for email, message_id in zip(emails, message_ids, strict=True)
        for reminder_id in email.reminder_ids
    ]
    _mark_sent(connection, sent, now)


def _mark_sent(connection: sa.Connection, sent: list[tuple[int, int]], now: datetime) -> None:
    """Each (reminder, outbox message) pair: the reminder went in that message, now."""
    table = Reminder.__table__
    marked = sa.update(table).values(status=ReminderStatus.SENT, sent_at=now)
    if connection.dialect.name == "postgresql":
        # One statement with the pairs as two arrays: a row each (executemany) took a
        # second for a region's 18,000.
        pairs = sa.select(
            sa.func.unnest(sa.bindparam("ids", type_=Array(sa.Integer))).label("id"),
            sa.func.unnest(sa.bindparam("messages", type_=Array(sa.Integer))).label("message"),
        ).subquery("pairs")
        ids, messages = zip(*sent, strict=True)
        connection.execute(
            marked.where(table.c.id == pairs.c.id).values(outbox_message_id=pairs.c.message),
            {"ids": list(ids), "messages": list(messages)},
        )
    else:
        connection.execute(
            marked.where(table.c.id == sa.bindparam("reminder")).values(
                outbox_message_id=sa.bindparam("message")
            ),
            [{"reminder": reminder, "message": message} for reminder, message in sent],
        )


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
