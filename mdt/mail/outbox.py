"""The outbox: messages are rows written in the request's transaction and sent after commit.

A message that cannot be sent stays queued with its error and attempt count and is tried
again later (``mdt outbox send``, and the scheduler once it exists); nothing is dropped.
Log lines name messages by id only: bodies hold links with one-time tokens.

Most messages are composed when queued (``enqueue(compose(...))``). The scheduler's sweep
queues thousands of plain-text ones at once (``enqueue_texts``): their rows hold the text,
with the Message-ID and Date fixed, and the MIME is composed when they are sent.
"""

from __future__ import annotations

import enum
import logging
import re
import threading
import time
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, make_msgid
from typing import Any

import sqlalchemy as sa
from flask import current_app, g
from sqlalchemy.orm import Session, sessionmaker

from mdt.core.db import Executes, insert_many
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mail import outcomes
from mdt.mail.models import OutboxMessage, OutboxStatus
from mdt.mail.transports import (
    PermanentFailure,
    ServerUnavailable,
    TemporaryFailure,
    Transport,
    make_transport,
)

log = logging.getLogger(__name__)


#: How long a sender owns a message it is sending; if it dies mid-send, another sender
#: takes the message over after this. Longer than any SMTP conversation should take.
CLAIM_LEASE = timedelta(minutes=15)
_RECIPIENTS_MAX = OutboxMessage.__table__.c.recipients.type.length
_SUBJECT_MAX = OutboxMessage.__table__.c.subject.type.length
#: What a single plain address never holds: a second address, a display name, a new line.
_UNSAFE_ADDRESS = re.compile(r"[,<>\s]")


def compose(
    to: list[str],
    subject: str,
    text: str,
    html: str | None = None,
    *,
    date: datetime | None = None,
    message_id: str | None = None,
) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Date"] = format_datetime(date or now_utc())
    message["Message-ID"] = message_id or _new_message_id()
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def enqueue(message: EmailMessage, flush: bool = True) -> OutboxMessage:
    """Queue a message in the current transaction; it leaves only after the commit.

    ``flush=False`` is for many at once (the scheduler's sweep, thousands of digests): the
    row is inserted with the caller's next flush, not one round trip and unit of work each,
    and is sent by the next delivery run (``mdt outbox send``, the scheduler's minute)
    rather than straight after the request."""
    recipients = _recipients(message)
    _ensure_identity(message)
    row = OutboxMessage(
        recipients=recipients,
        # The row's subject is a label for people reading the table; the MIME keeps it whole.
        subject=str(message["Subject"] or "")[:_SUBJECT_MAX],
        mime=message.as_string(),
    )
    db.session.add(row)
    if flush:
        db.session.flush()
        g.setdefault("outbox_pending", []).append(row.id)
    return row


@dataclass(frozen=True)
class Letter:
    """A plain-text message to one address, queued by enqueue_texts."""

    to: str
    subject: str
    text: str


def enqueue_texts(session: Executes, letters: Sequence[Letter]) -> list[int]:
    """Queue many plain-text messages with one INSERT; returns their ids, in order.

    Composing each MIME message took most of the scheduler's digest sweep (thousands at
    once), so these rows keep the text and are composed when sent, by the same compose(),
    with the Message-ID and Date chosen now. Like enqueue(flush=False), they leave only
    after the caller commits, with the next delivery run."""
    if not letters:
        return []
    now = now_utc()
    rows = [_text_row(letter, now) for letter in letters]
    table = OutboxMessage.__table__
    written = insert_many(session, table, rows, returning=(table.c.message_id, table.c.id))
    ids = {message_id: row_id for message_id, row_id in written}  # Message-IDs are unique
    return [ids[row["message_id"]] for row in rows]


def _text_row(letter: Letter, now: datetime) -> dict[str, Any]:
    # Refused here, as compose() and enqueue() would refuse them, rather than at send time
    # (where a fault of ours is retried, for ever) or by the database (which echoes rows).
    if not letter.to or len(letter.to) > _RECIPIENTS_MAX or _UNSAFE_ADDRESS.search(letter.to):
        raise ValueError("a bulk-queued message goes to exactly one plain address")
    if len(letter.subject) > _SUBJECT_MAX or "\r" in letter.subject or "\n" in letter.subject:
        raise ValueError("a bulk-queued message needs a one-line subject the row can hold")
    return {
        "recipients": letter.to,
        "subject": letter.subject,
        "body": letter.text,
        "message_id": _new_message_id(),
        "created_at": now,
        "next_attempt_at": now,
    }


def message_of(row: OutboxMessage) -> EmailMessage:
    """The message a row sends: its MIME, or, for one queued by enqueue_texts and not yet
    sent, composed from its text (the same each time: Message-ID and Date are the row's)."""
    return _message(row.mime, row.recipients, row.subject, row.body, row.message_id, row.created_at)


def _message(
    mime: str | None,
    recipients: str,
    subject: str,
    body: str | None,
    message_id: str | None,
    created_at: datetime,
) -> EmailMessage:
    if mime is not None:
        return message_from_string(mime, policy=policy.default)  # type: ignore[return-value]
    assert body is not None, "a row without MIME has a body (ck_outbox_message_mime_or_body)"
    return compose([recipients], subject, body, date=created_at, message_id=message_id)


def _new_message_id() -> str:
    return make_msgid(domain="mdt-coordinator")


def _recipients(message: EmailMessage) -> str:
    # Parsed as addresses, not split on commas: a display name may contain a comma.
    fields = [str(v) for name in ("To", "Cc", "Bcc") for v in message.get_all(name, [])]
    addresses = [addr for _, addr in getaddresses(fields) if addr]
    if not addresses:
        raise ValueError("a message needs at least one recipient")
    joined = ", ".join(addresses)
    if len(joined) > _RECIPIENTS_MAX:
        # Refused here, before the INSERT, so a database error never echoes the body.
        raise ValueError(f"{len(addresses)} recipients is too many for one message")
    return joined


def _ensure_identity(message: EmailMessage) -> None:
    # A fixed Message-ID makes a retry the same message (one .eml, no duplicate threads);
    # Date is required by RFC 5322 and smtplib does not add it.
    if message["Message-ID"] is None:
        message["Message-ID"] = _new_message_id()
    if message["Date"] is None:
        message["Date"] = format_datetime(now_utc())


def deliver_pending_after_request() -> None:
    """Called when a request (or command) ends: sends what it queued, if that committed.

    Never raises: the work is already committed, and whatever was not sent stays queued
    for ``mdt outbox send``.
    """
    ids = g.pop("outbox_pending", None)
    if not ids:
        return
    try:
        deliver(ids)
    except Exception:
        log.exception(
            "outbox: sending after the work that queued it failed; %s message(s) stay queued",
            len(ids),
        )


@dataclass
class Pace:
    """How a delivery run shares its process (the scheduler's). Each is looked at before a
    message is claimed, never while one is sent: a message handed to the server is always
    finished and recorded."""

    #: A time.monotonic() after which no message is started; the rest wait for the next run.
    deadline: float | None = None
    #: Set to end the run after the message in flight (the scheduler's SIGTERM).
    stop: threading.Event | None = None
    #: Set when newer mail was queued (by the scheduler's sweep): it goes before the rest.
    #: With a deadline, a run with nothing (left) to send waits for it until the deadline.
    #: (Set it with `stop`, to wake a run waiting.)
    fresh: threading.Event | None = None

    def over(self) -> bool:
        if self.stop is not None and self.stop.is_set():
            return True
        return self.deadline is not None and time.monotonic() >= self.deadline

    def take_fresh(self) -> bool:
        if self.fresh is None or not self.fresh.is_set():
            return False
        self.fresh.clear()
        return True

    def wait_for_fresh(self) -> bool:
        if self.fresh is None or self.deadline is None or self.over():
            return False
        return self.fresh.wait(self.deadline - time.monotonic())


def deliver(ids: list[int] | None = None, pace: Pace | None = None) -> tuple[int, int]:
    """Try every queued message that is due (or those of them named); record each outcome.

    Returns (sent, not sent: still queued or refused). Messages another sender is working
    on are skipped, so a request and ``mdt outbox send`` running together send each once.
    Each claim and each outcome is a short transaction of its own, tried again on a new
    connection if the database connection fails: a message the server accepted is recorded
    sent, and a lost connection costs nothing else.
    """
    pace = pace or Pace()
    transport = make_transport(current_app.config)
    sessions = db.state().sessionmaker
    if not outcomes.record_earlier_outcomes(sessions):
        return 0, 0
    due = deque(_due_ids(sessions, ids))
    newest = max(due, default=0)
    sent = not_sent = 0
    while True:
        if pace.take_fresh():
            newer = _due_ids(sessions, ids, after=newest)
            newest = max(newer, default=newest)
            due.extendleft(reversed(newer))
        if not due and pace.wait_for_fresh():
            continue
        if not due or pace.over():
            return sent, not_sent
        row_id = due.popleft()
        try:
            claimed = _claim(sessions, row_id)
        except sa.exc.DBAPIError:
            log.exception("outbox: no database to claim message %s; left for the next run", row_id)
            return sent, not_sent + 1 + len(due)
        if claimed is None:
            continue
        outcome, values = _send_one(claimed, transport)
        recorded = outcomes.record(sessions, row_id, values)
        sent, not_sent = (sent + 1, not_sent) if outcome is _Outcome.SENT else (sent, not_sent + 1)
        if not recorded:
            return sent, not_sent + len(due)  # the database is away: so is every claim
        if outcome is _Outcome.SERVER_UNAVAILABLE and due:
            # Each further try would wait out the same timeout (and hold up the request
            # that queued them); they stay due, untouched, for the next run.
            log.warning("outbox: %s more message(s) left for the next run", len(due))
            return sent, not_sent + len(due)


def _is_due() -> sa.ColumnElement[bool]:
    return sa.and_(
        OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now_utc()
    )


def _due_ids(
    sessions: sessionmaker[Session], ids: list[int] | None, after: int | None = None
) -> list[int]:
    query = sa.select(OutboxMessage.id).where(_is_due())
    if ids is not None:
        query = query.where(OutboxMessage.id.in_(ids))
    if after is not None:
        query = query.where(OutboxMessage.id > after)
    unrecorded = outcomes.unrecorded_ids()
    if unrecorded:  # sent or refused already, as far as this process knows
        query = query.where(OutboxMessage.id.not_in(unrecorded))
    # Read and let go: each claim below is its own short transaction.
    with sessions() as session:
        return list(session.scalars(query.order_by(OutboxMessage.id)))


@dataclass(frozen=True)
class _Claimed:
    """What sending a claimed message needs, read in its claim's transaction."""

    id: int
    attempts: int
    mime: str | None
    recipients: str
    subject: str
    body: str | None
    message_id: str | None
    created_at: datetime


_CLAIMED_COLUMNS = [getattr(OutboxMessage, f.name) for f in fields(_Claimed)]


def _claim(sessions: sessionmaker[Session], row_id: int) -> _Claimed | None:
    """Take the message if it is still due: counting the attempt and pushing the next one
    past the lease in one conditional UPDATE means only one sender can win it. (Tried again
    after a lost connection, a claim that did commit finds the message taken: it then waits
    out the lease, never goes twice.)"""

    def claim(session: Session) -> _Claimed | None:
        result = session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == row_id, _is_due())
            .values(attempts=OutboxMessage.attempts + 1, next_attempt_at=now_utc() + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        row = session.execute(sa.select(*_CLAIMED_COLUMNS).where(OutboxMessage.id == row_id))
        return _Claimed(*row.one())

    return outcomes.in_own_transaction(sessions, claim)


class _Outcome(enum.Enum):
    SENT = "sent"
    NOT_SENT = "not sent"
    SERVER_UNAVAILABLE = "server unavailable"


def _send_one(claimed: _Claimed, transport: Transport) -> tuple[_Outcome, dict[str, Any]]:
    """Send one claimed message, holding no transaction (on SQLite one holds the one write
    lock, and a slow server must not hold up every request); returns the outcome and what
    to write on its row."""
    c = claimed
    kept: dict[str, Any] = {}
    try:
        message = _message(c.mime, c.recipients, c.subject, c.body, c.message_id, c.created_at)
        if c.mime is None:
            # Kept with the outcome: the row then holds what went out, as every other does.
            kept["mime"] = message.as_string()
        transport.send(message, [a.strip() for a in c.recipients.split(",")])
    except PermanentFailure as exc:
        log.error("outbox message %s refused for good: %s", c.id, exc)
        return _Outcome.NOT_SENT, kept | {
            "status": OutboxStatus.FAILED,
            "last_error": outcomes.error(str(exc)),
        }
    except TemporaryFailure as exc:
        log.warning("outbox message %s not sent (attempt %s): %s", c.id, c.attempts, exc)
        unavailable = isinstance(exc, ServerUnavailable)
        outcome = _Outcome.SERVER_UNAVAILABLE if unavailable else _Outcome.NOT_SENT
        return outcome, kept | outcomes.retry_later(c.attempts, str(exc))
    except Exception as exc:
        # A fault of ours, not the server's: keep the message and say so, never drop it.
        log.exception("outbox message %s not sent (attempt %s)", c.id, c.attempts)
        fault = f"{type(exc).__name__}: {exc}"
        return _Outcome.NOT_SENT, kept | outcomes.retry_later(c.attempts, fault)
    log.info("outbox message %s sent (attempt %s)", c.id, c.attempts)
    return _Outcome.SENT, kept | {
        "status": OutboxStatus.SENT,
        "sent_at": now_utc(),
        "last_error": None,
    }
