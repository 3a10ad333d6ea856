"""The sweep: create the reminders that have fallen due, skip the resolved, mail the rest.

Safe to run again at any time: rows are keyed by (kind, subject, person, due time), a
reminder is marked sent in the transaction that queues its email, and a person's digest from
a team is keyed by the day. The caller commits (the scheduler, a shard at a time).

A sweep derives what fell due since the last committed sweep (``ReminderSweepMark``), at
most a week back, so most minutes derive nothing. What still matters from before that is
derived again: the subjects changed since the last sweep, over the week, by subject only
(``mdt/reminders/recheck.py``: a meeting booked after its reminder's due time); and, in a
sweep whose window holds a working day's digest time, everything back to the oldest unsent
reminder, so that each is judged (skipped if resolved, brought back if needed again) just
before it could go out.

The work is split by team into shards (mdt/reminders/shards.py), each with its own mark:
the scheduler claims and sweeps one shard per transaction, so several schedulers share a
minute's work; ``sweep`` sweeps every shard in the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.core.days import is_working_day
from mdt.core.db import Array, Background, among, insert_many
from mdt.core.web import external_url
from mdt.mail import outbox
from mdt.reminders import recheck
from mdt.reminders.due import NO_TEAM_ZONE, Due, Window, zones_in_use
from mdt.reminders.kinds import produce
from mdt.reminders.letters import Email, Live, alone, digest
from mdt.reminders.models import (
    SHARDS,
    Reminder,
    ReminderDigest,
    ReminderPreference,
    ReminderStatus,
    ReminderSweepMark,
)
from mdt.reminders.shards import ensure_marks, of_shard_or_none

#: How far back a sweep looks for what fell due: a scheduler down for longer than this
#: sends nothing that fell due before it (by then the meetings are long past).
CATCH_UP = timedelta(days=7)
Key = tuple[str, str, int, datetime]


@dataclass
class SweepResult:
    created: int = 0
    skipped: int = 0
    emails: int = 0
    reminders_sent: int = 0
    #: The shards swept.
    shards: int = 0

    def add(self, other: SweepResult) -> None:
        self.created += other.created
        self.skipped += other.skipped
        self.emails += other.emails
        self.reminders_sent += other.reminders_sent
        self.shards += other.shards


def sweep(session: Session, now: datetime, at: time) -> SweepResult:
    """Every shard, in the caller's transaction (one scheduler, the tests, `mdt bench`)."""
    ensure_marks(session)
    result = SweepResult()
    for shard in range(SHARDS):
        mark = session.get(ReminderSweepMark, shard)
        assert mark is not None  # made by ensure_marks
        result.add(sweep_shard(session, mark, now, at))
    return result


def sweep_shard(session: Session, mark: ReminderSweepMark, now: datetime, at: time) -> SweepResult:
    """One shard (the mark's), from its mark up to `now`; the mark moves to `now`."""
    result = SweepResult(shards=1)
    look_back = now - CATCH_UP
    since = _swept_until(mark, look_back, now)
    window = Window(since=since, until=now, at=at, shard=mark.id)
    produced, considered, derived = _derive(session, window, look_back)
    live, skip = _judge(session, produced, look_back, derived, considered, result)
    _send(session, live, skip, (now, at, mark.id), result)
    mark.swept_until = now
    session.flush()
    return result


def _swept_until(mark: ReminderSweepMark, look_back: datetime, now: datetime) -> datetime:
    """Where this sweep starts: the last sweep's now, or a week back if there was none in
    the week (or the last was later than now: tests and `mdt bench` travel in time)."""
    if mark.swept_until > now:
        return look_back
    return max(look_back, mark.swept_until)


def _zones(session: Session) -> set[str]:
    """The time zones reminders are due in: the teams' and the no-team one."""
    return set(zones_in_use(session)) | {NO_TEAM_ZONE}


def _digest_time_in(zones: set[str], window: Window) -> bool:
    """Whether the window holds a working day's digest time in a time zone in use: only then
    can a reminder waiting for a digest go out, so only then need the waiting ones be
    judged again (a weekend's wait would otherwise derive thousands of subjects a minute)."""
    return any(is_working_day(day) for zone in zones for day in window.days(zone))


def _reminder_time_in(zones: set[str], window: Window) -> bool:
    """Whether the window holds the reminder time of any day: every reminder is due at it,
    so a window without it (most minutes) has nothing newly due."""
    return any(window.days(zone) for zone in zones)


def _derive(
    session: Session, window: Window, look_back: datetime
) -> tuple[dict[Key, Due], frozenset[str] | None, Window]:
    """What is due, the subjects whose unsent reminders that judges (None for all), and the
    window it was derived over.

    When digests can go (the window holds a digest time), everything due back to the oldest
    unsent reminder, for every subject, in one derivation: each unsent reminder is judged
    just before it could go out, and the derivation a catch-up's 17,000 waiting reminders
    needed by subject cost more than all subjects' over the same days. (Back over the whole
    look-back if something changed since the last sweep.) Otherwise, what fell due in the
    window, and, for the subjects changed since the last sweep, what is due over the whole
    look-back: their reminders may have been due before they were booked."""
    assert window.shard is not None
    changed = recheck.take(session, window.shard)
    zones = _zones(session)
    if _digest_time_in(zones, window):
        oldest = look_back if changed else _oldest_unsent(session, window, look_back)
        if oldest is not None:  # a due time is after `since`: derive from just before it
            since = max(look_back, oldest - timedelta(seconds=1))
            window = replace(window, since=min(window.since, since))
        return produce(session, window), None, window
    produced = produce(session, window) if _reminder_time_in(zones, window) else {}
    subjects = frozenset(changed)
    if subjects:
        again = replace(window, since=look_back, subjects=subjects)
        produced |= produce(session, again)
    return produced, subjects, window


def _oldest_unsent(session: Session, window: Window, look_back: datetime) -> datetime | None:
    """The due time of the shard's oldest unsent reminder from before the window (within
    the look-back)."""
    return session.scalar(
        sa.select(sa.func.min(_R.due_at)).where(
            _unsent(look_back),
            _R.due_at > look_back,
            _R.due_at <= window.since,
            of_shard_or_none(window.shard, _R.team_id),
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


def _judge(
    session: Session,
    produced: dict[Key, Due],
    look_back: datetime,
    window: Window,
    considered: frozenset[str] | None,
    result: SweepResult,
) -> tuple[list[Live], list[int]]:
    """The unsent reminders still wanted, made or not (`produced` without a row is made by
    this sweep), and the ids of the pending ones no longer wanted (to skip: they come back if
    their subject needs them again, say apologies withdrawn). Judged: those due in the window
    and those whose subjects were derived again (`considered`; None for all). The others
    wait, unjudged, for the next digest time.

    One read of the rows that can matter, not a read of the keys to make the missing ones
    and another of the unsent after: a catch-up reads 20,000."""
    read = _R.due_at > window.since  # at a digest time, back to the oldest unsent one
    if considered:
        subjects = sa.and_(among(_R.subject, sorted(considered)), _R.due_at > look_back)
        read = sa.or_(read, subjects)
    rows = session.execute(
        # The key (kind, subject, user_id, due_at) as row[1:5].
        sa.select(_R.id, _R.kind, _R.subject, _R.user_id, _R.due_at, _R.status)
        .where(read, of_shard_or_none(window.shard, _R.team_id))
        .order_by(_R.due_at, _R.id)
    )
    live, skip, made = [], [], set()
    for row in rows:
        key, status = row[1:5], row.status
        made.add(key)
        if status is ReminderStatus.SENT:
            continue
        if (due := produced.get(key)) is not None:
            live.append(Live(row.id, due, revived=status is ReminderStatus.SKIPPED))
        elif status is ReminderStatus.PENDING:
            skip.append(row.id)
    new = [Live(None, due) for key, due in produced.items() if key not in made]
    result.created = len(new)
    if considered is None:
        result.skipped += _skip_stale(session, look_back, window.shard)
    result.skipped += len(skip)
    live += new
    live.sort(key=lambda r: r.due.due_at)  # stable: rows by id, then the new as produced
    return live, skip


def _skip_stale(session: Session, look_back: datetime, shard: int | None) -> int:
    """Skip what waited past the look-back (only a scheduler down for days leaves any): it
    will not be derived again. Looked for over the week before the look-back, as each
    digest time's sweep does."""
    stale = session.execute(
        sa.update(_REMINDERS)
        .where(
            _R.status == ReminderStatus.PENDING,
            _R.due_at > look_back - CATCH_UP,
            _R.due_at <= look_back,
            of_shard_or_none(shard, _R.team_id),
        )
        .values(status=ReminderStatus.SKIPPED)
    )
    return stale.rowcount  # type: ignore[attr-defined, no-any-return]


def _send(
    session: Session,
    live: list[Live],
    skip: list[int],
    when: tuple[datetime, time, int],
    result: SweepResult,
) -> None:
    """Email what is ready (everything, for those who chose each reminder on its own; the
    day's digest from each team at the digest time on working days, for everyone else), and
    write the rest: the new reminders made, the unready ones revived, the skipped."""
    if not live and not skip:
        return
    now, at, shard = when  # the sweep's now, the digest time, the shard
    groups: dict[tuple[int, int | None], list[Live]] = defaultdict(list)
    for reminder in live:
        team = reminder.due.team
        groups[(reminder.due.user.id, team.id if team is not None else None)].append(reminder)
    immediate = _wants_immediate(session)
    digests_sent = _recent_digests(session, now, shard)
    preferences_link = external_url("reminders.preferences")
    waiting: list[Live] = []

    def emails() -> Iterator[Email]:
        for (user_id, _), reminders in groups.items():
            if user_id in immediate:
                yield from (alone(reminder, preferences_link) for reminder in reminders)
            else:
                email, later = digest(reminders, now, at, digests_sent, preferences_link)
                if email is not None:
                    yield email
                waiting.extend(later)

    with Background(session) as background:
        _queue(background, emails(), now, result)
        background.submit(partial(_write_unsent, waiting, skip))


def _wants_immediate(session: Session) -> set[int]:
    """Everyone who chose it: few, and asking about thousands by id cost more."""
    return set(
        session.scalars(sa.select(ReminderPreference.user_id).where(ReminderPreference.immediate))
    )


#: Emails queued a batch at a time: PostgreSQL writes one while the next is composed.
_BATCH = 1000


def _queue(
    background: Background, emails: Iterable[Email], now: datetime, result: SweepResult
) -> None:
    """Queue the emails and write their reminders sent, in the caller's transaction: a
    statement per table for each batch, not an object each. The words of the next batch are
    worked out (Python) while the last is written (the database): a region's first digest
    after a week writes 8,600 emails and 18,000 reminders."""
    batch: list[Email] = []
    for email in emails:
        batch.append(email)
        if len(batch) == _BATCH:
            background.submit(partial(_write, batch, now))
            batch = []
        result.emails += 1
        result.reminders_sent += len(email.reminders)
    if batch:
        background.submit(partial(_write, batch, now))


def _write(emails: list[Email], now: datetime, connection: sa.Connection) -> None:
    """The emails queued, their digests, and their reminders sent in them: made so, if this
    sweep makes them (an INSERT, not an INSERT and an UPDATE), or marked so."""
    message_ids = outbox.enqueue_texts(connection, [email.letter for email in emails])
    digests = [
        {"user_id": user_id, "team_id": team_id, "day": day, "outbox_message_id": message_id}
        for email, message_id in zip(emails, message_ids, strict=True)
        if email.digest is not None
        for user_id, team_id, day in [email.digest]
    ]
    insert_many(connection, ReminderDigest.__table__, digests)
    marked, made = [], []
    for email, message_id in zip(emails, message_ids, strict=True):
        for reminder in email.reminders:
            if reminder.id is not None:
                marked.append((reminder.id, message_id))
            else:
                made.append(_row(reminder.due, ReminderStatus.SENT, now, message_id))
    _mark_sent(connection, marked, now)
    insert_many(connection, _REMINDERS, made)


def _write_unsent(waiting: list[Live], skip: list[int], connection: sa.Connection) -> None:
    """What waits for a later digest (made pending if new, pending again if it was skipped),
    and what is skipped."""
    made = [_row(r.due, ReminderStatus.PENDING) for r in waiting if r.id is None]
    insert_many(connection, _REMINDERS, made)
    revived = [r.id for r in waiting if r.id is not None and r.revived]
    for ids, status in ((revived, ReminderStatus.PENDING), (skip, ReminderStatus.SKIPPED)):
        if ids:
            connection.execute(sa.update(_REMINDERS).where(among(_R.id, ids)).values(status=status))


def _row(
    due: Due,
    status: ReminderStatus,
    sent_at: datetime | None = None,
    message_id: int | None = None,
) -> dict[str, Any]:
    return {
        "kind": due.kind,
        "subject": due.subject,
        "user_id": due.user.id,
        "team_id": due.team.id if due.team is not None else None,
        "due_at": due.due_at,
        "status": status,
        "sent_at": sent_at,
        "outbox_message_id": message_id,
    }


def _mark_sent(connection: sa.Connection, sent: list[tuple[int, int]], now: datetime) -> None:
    """Each (reminder, outbox message) pair: the reminder went in that message, now."""
    if not sent:
        return
    table = _REMINDERS
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


def _recent_digests(
    session: Session, now: datetime, shard: int
) -> set[tuple[int, int | None, date]]:
    """(person, team, local day) of the shard's digests sent yesterday, today or tomorrow in
    UTC terms, which covers "today" in any team's time zone."""
    days = [(now + timedelta(days=d)).date() for d in (-1, 0, 1)]
    rows = session.execute(
        sa.select(ReminderDigest.user_id, ReminderDigest.team_id, ReminderDigest.day).where(
            ReminderDigest.day.in_(days), of_shard_or_none(shard, ReminderDigest.team_id)
        )
    )
    return {tuple(row) for row in rows}  # type: ignore[misc]
