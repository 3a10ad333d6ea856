"""The outbox: messages are rows written in the request's transaction and sent after commit.

A message that cannot be sent stays queued with its error and attempt count and is tried
again later (``mdt outbox send``, and the scheduler once it exists); nothing is dropped.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from email import message_from_string, policy
from email.message import EmailMessage
from email.utils import make_msgid

import sqlalchemy as sa
from flask import current_app, g

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mail.models import OutboxMessage, OutboxStatus
from mdt.mail.transports import PermanentFailure, TemporaryFailure, make_transport

log = logging.getLogger(__name__)

MAX_BACKOFF = timedelta(hours=1)


def compose(to: list[str], subject: str, text: str, html: str | None = None) -> EmailMessage:
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = ", ".join(to)
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mdt-coordinator")
    message.set_content(text)
    if html is not None:
        message.add_alternative(html, subtype="html")
    return message


def enqueue(message: EmailMessage) -> OutboxMessage:
    """Queue a message in the current transaction; it leaves only after the commit."""
    recipients = [addr.strip() for addr in str(message["To"]).split(",") if addr.strip()]
    row = OutboxMessage(
        recipients=", ".join(recipients), subject=str(message["Subject"]), mime=message.as_string()
    )
    db.session.add(row)
    db.session.flush()
    g.setdefault("outbox_pending", []).append(row.id)
    return row


def deliver_pending_after_request() -> None:
    """Called when a request ends: sends what it queued, if its transaction committed."""
    ids = g.pop("outbox_pending", None)
    if ids:
        deliver(ids)


def deliver(ids: list[int] | None = None) -> tuple[int, int]:
    """Try every queued message that is due (or those named); commit each outcome.

    Returns (sent, still queued or failed).
    """
    session = db.state().sessionmaker()
    try:
        query = sa.select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.QUEUED)
        if ids is not None:
            query = query.where(OutboxMessage.id.in_(ids))
        else:
            query = query.where(OutboxMessage.next_attempt_at <= now_utc())
        transport = make_transport(current_app.config)
        sent = failed = 0
        for row in session.scalars(query.order_by(OutboxMessage.id)).all():
            if _send_one(row, transport):
                sent += 1
            else:
                failed += 1
            session.commit()
        return sent, failed
    finally:
        session.close()


def _send_one(row: OutboxMessage, transport: object) -> bool:
    message = message_from_string(row.mime, policy=policy.default)
    row.attempts += 1
    try:
        transport.send(message, [a.strip() for a in row.recipients.split(",")])  # type: ignore[attr-defined]
    except TemporaryFailure as exc:
        row.last_error = str(exc)[:1000]
        row.next_attempt_at = now_utc() + min(timedelta(minutes=2**row.attempts), MAX_BACKOFF)
        log.warning("outbox message %s not sent (attempt %s): %s", row.id, row.attempts, exc)
        return False
    except PermanentFailure as exc:
        row.last_error = str(exc)[:1000]
        row.status = OutboxStatus.FAILED
        log.error("outbox message %s refused for good: %s", row.id, exc)
        return False
    row.status = OutboxStatus.SENT
    row.sent_at = now_utc()
    row.last_error = None
    return True
