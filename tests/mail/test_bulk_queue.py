"""Plain-text messages queued in bulk (the scheduler's digests) are composed when they are
sent: what the server gets is what composing them at once would have given, a retry is the
same message, and they leave only if the transaction that queued them commits."""

from __future__ import annotations

from datetime import timedelta
from email.utils import format_datetime

import pytest
import sqlalchemy as sa
import time_machine

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mail import outbox
from mdt.mail.models import OutboxMessage, OutboxStatus
from tests.mail.support import deliver, rows

#: Long lines and a non-ASCII name: composing picks a transfer encoding for them.
TEXT = (
    "Hello Zoë Ó Briain,\n\nYour reminders from Riverside Neighbourhood MDT:\n\n"
    + "1. "
    + "a line longer than any mail server's limit on a line " * 30
    + "\n   http://mdt.test/meetings/42\n"
)
SUBJECT = "Your MDT reminders: Riverside Neighbourhood MDT, Fri 15 Jan 2027"
HEADERS = ("From", "To", "Subject", "MIME-Version", "Content-Type", "Content-Transfer-Encoding")


def _text(message) -> str:  # type: ignore[no-untyped-def]
    return message.get_content().replace("\r\n", "\n")  # as SMTP carries it


def _queue_in_bulk(app, *letters: outbox.Letter) -> list[int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        ids = outbox.enqueue_texts(db.session, letters)
        db.session.commit()
    return ids


def test_a_message_queued_in_bulk_goes_out_as_if_composed_when_queued(app, session, smtp):
    with app.app_context():
        outbox.enqueue(outbox.compose(["jo@example.org"], SUBJECT, TEXT), flush=False)
        db.session.commit()
    [bulk_id] = _queue_in_bulk(app, outbox.Letter("sam@example.org", SUBJECT, TEXT))
    queued = session.get(OutboxMessage, bulk_id)
    assert queued.mime is None and queued.body == TEXT

    assert deliver(app) == (2, 0)

    at_once, bulk = (received.message for received in smtp.received)
    for header in HEADERS:
        expected = at_once[header].replace("jo@", "sam@") if header == "To" else at_once[header]
        assert bulk[header] == expected, header
    assert _text(bulk) == _text(at_once) == TEXT
    row = rows(session)[1]
    assert bulk["Message-ID"] == row.message_id
    assert bulk["Date"] == format_datetime(row.created_at)
    assert row.status == OutboxStatus.SENT
    assert row.mime is not None and "Message-ID: " + row.message_id in row.mime, "kept"


def test_a_message_queued_in_bulk_waits_for_the_server_and_then_goes_once_as_itself(
    app, session, smtp_down
):
    [row_id] = _queue_in_bulk(app, outbox.Letter("sam@example.org", SUBJECT, TEXT))

    assert deliver(app) == (0, 1)
    [row] = rows(session)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1 and row.last_error

    smtp_down.start()
    with time_machine.travel(now_utc() + timedelta(hours=2), tick=False):
        assert deliver(app) == (1, 0)
        assert deliver(app) == (0, 0)
    [received] = smtp_down.received
    assert received.rcpt_tos == ["sam@example.org"]
    assert received.message["Message-ID"] == session.get(OutboxMessage, row_id).message_id
    assert _text(received.message) == TEXT


def test_messages_queued_in_bulk_in_a_rolled_back_transaction_are_never_sent(app, session, smtp):
    with app.app_context():
        outbox.enqueue_texts(db.session, [outbox.Letter("ghost@example.org", "Never", "Never\n")])
        db.session.rollback()
    assert deliver(app) == (0, 0)
    assert smtp.received == [] and rows(session) == []


@pytest.mark.parametrize(
    ("to", "subject"),
    [
        ("jo@example.org, sam@example.org", "Two people"),
        ("Jo Clarke <jo@example.org>", "A display name"),
        ("", "Nobody"),
        ("jo@example.org", "Two lines\nBcc: everyone@example.org"),
        ("jo@example.org", "x" * 301),
    ],
)
def test_a_bulk_message_is_one_plain_address_and_a_one_line_subject(app, session, to, subject):
    with app.app_context(), pytest.raises(ValueError):
        outbox.enqueue_texts(db.session, [outbox.Letter(to, subject, "Text\n")])
    assert session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0
