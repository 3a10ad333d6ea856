"""What the SMTP server says decides a message's fate; nothing is ever dropped."""

from __future__ import annotations

import socket
from datetime import timedelta
from email.message import EmailMessage

import pytest
import time_machine

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mail import outbox, outcomes
from mdt.mail.models import OutboxMessage, OutboxStatus
from tests.mail.support import deliver, queue, rows

LATER = timedelta(days=2)


def _later():  # type: ignore[no-untyped-def]
    return time_machine.travel(now_utc() + LATER, tick=False)


@pytest.mark.parametrize("refused_at", ["RCPT", "DATA"])
def test_a_permanent_refusal_marks_the_message_failed_and_keeps_it(app, session, smtp, refused_at):
    if refused_at == "RCPT":
        smtp.handler.rcpt_replies["nobody@example.org"] = "550 5.1.1 No such user here"
    else:
        smtp.handler.data_reply = "554 5.6.0 Message content rejected"
    queue(app, ["nobody@example.org"])

    assert deliver(app) == (0, 1)

    [row] = rows(session)
    assert row.status == OutboxStatus.FAILED and row.attempts == 1
    assert row.last_error.startswith(("SMTP 550", "SMTP 554"))
    assert "No such user here" in row.last_error or "content rejected" in row.last_error
    smtp.handler.rcpt_replies.clear()
    smtp.handler.data_reply = None
    with _later():
        assert deliver(app) == (0, 0), "a refused message is not retried"
    assert smtp.received == []
    [row] = rows(session)
    assert row.status == OutboxStatus.FAILED and row.attempts == 1


@pytest.mark.parametrize("refused_at", ["RCPT", "DATA"])
def test_a_temporary_refusal_keeps_the_message_queued_for_later(app, session, smtp, refused_at):
    if refused_at == "RCPT":
        smtp.handler.rcpt_replies["busy@example.org"] = "451 4.3.0 Try again later"
    else:
        smtp.handler.data_reply = "452 4.3.1 Insufficient system storage"
    queue(app, ["busy@example.org"])

    assert deliver(app) == (0, 1)

    [row] = rows(session)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1
    assert row.last_error.startswith(("SMTP 451", "SMTP 452"))
    assert row.next_attempt_at > now_utc()
    smtp.handler.rcpt_replies.clear()
    smtp.handler.data_reply = None
    with _later():
        assert deliver(app) == (1, 0)
    [received] = smtp.received
    assert received.rcpt_tos == ["busy@example.org"]
    [row] = rows(session)
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error is None


def test_one_refused_recipient_of_two_does_not_stop_the_other(app, session, smtp):
    smtp.handler.rcpt_replies["gone@example.org"] = "550 5.1.1 No such user here"
    queue(app, ["gone@example.org", "here@example.org"])

    assert deliver(app) == (1, 0)

    [received] = smtp.received
    assert received.rcpt_tos == ["here@example.org"]
    assert rows(session)[0].status == OutboxStatus.SENT


def test_a_failed_goodbye_after_the_server_took_the_message_does_not_send_it_again(
    app, session, smtp
):
    # The message is delivered once the server answers 250 to the data; how the
    # conversation ends after that must not turn it into a retry (a duplicate).
    smtp.handler.quit_reply = "421 4.3.2 Shutting down"
    queue(app, ["once@example.org"])

    assert deliver(app) == (1, 0)
    with _later():
        assert deliver(app) == (0, 0)

    assert len(smtp.received) == 1
    [row] = rows(session)
    assert row.status == OutboxStatus.SENT and row.last_error is None


def test_a_display_name_with_a_comma_is_one_recipient(app, session, smtp):
    message = EmailMessage()
    message["From"] = "MDT Coordinator <mdt@example.org>"
    message["To"] = '"Whitfield, Sam" <sam@example.org>, kit@example.org'
    message["Subject"] = "Meeting moved"
    message.set_content("The meeting has moved.\n")
    with app.app_context():
        outbox.enqueue(message)
        db.session.commit()
    deliver(app)  # whatever the context's own after-commit delivery did not send

    [received] = smtp.received
    assert received.rcpt_tos == ["sam@example.org", "kit@example.org"]
    assert received.message["Message-ID"] and received.message["Date"]


def test_a_long_outage_keeps_retrying_hourly(app, session, smtp_down):
    # Fifty failed attempts is two days of an hourly retry: it must not break the sender.
    row_id = queue(app, ["patient.wait@example.org"])
    with app.app_context():
        db.session.get(OutboxMessage, row_id).attempts = 50
        db.session.commit()

    assert deliver(app) == (0, 1)

    [row] = rows(session)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 51
    assert timedelta(minutes=59) < row.next_attempt_at - now_utc() <= timedelta(hours=1)


def test_backoff_doubles_from_two_minutes_up_to_an_hour():
    assert [outcomes.backoff(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (2, 4, 8)]
    assert outcomes.backoff(6) == outcomes.backoff(1000) == timedelta(hours=1)


def test_a_message_another_sender_has_taken_is_left_to_it_until_its_lease_ends(app, session, smtp):
    row_id = queue(app, ["twice@example.org"])
    with app.app_context():
        # Another sender (say the request's own delivery) has claimed it and is talking to
        # the server right now.
        assert outbox._claim(db.state().sessionmaker, row_id) is not None

        assert outbox.deliver() == (0, 0)
        assert outbox.deliver([row_id]) == (0, 0)
    assert smtp.received == []

    # That sender died mid-send: once its lease is over the message is taken over.
    with time_machine.travel(now_utc() + outbox.CLAIM_LEASE + timedelta(seconds=1), tick=False):
        assert deliver(app) == (1, 0)
    assert len(smtp.received) == 1
    [row] = rows(session)
    assert row.status == OutboxStatus.SENT and row.attempts == 2


def test_a_server_that_never_answers_holds_up_one_message_not_every_one(app, session, smtp_down):
    # A host that takes the connection but never says hello (a dropped firewall rule, say)
    # costs a full timeout per try; the rest of the run is left, untouched, for later.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        app.config.update(MAIL_SMTP_PORT=silent.getsockname()[1], MAIL_SMTP_TIMEOUT=0.3)
        ids = [queue(app, [f"person{n}@example.org"]) for n in range(3)]

        assert deliver(app) == (0, 3)

    first, *rest = rows(session)
    assert first.id == ids[0] and first.attempts == 1 and "timed out" in first.last_error
    assert [(r.attempts, r.last_error, r.next_attempt_at <= now_utc()) for r in rest] == [
        (0, None, True),
        (0, None, True),
    ]
    assert all(r.status == OutboxStatus.QUEUED for r in rows(session))

    app.config.update(smtp_down.app_config())
    smtp_down.start()
    assert deliver(app) == (2, 0), "the untouched ones are due at once"
    with time_machine.travel(first.next_attempt_at + timedelta(seconds=1), tick=False):
        assert deliver(app) == (1, 0)
    assert len(smtp_down.received) == 3
