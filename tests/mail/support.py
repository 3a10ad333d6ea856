"""A real SMTP server (aiosmtpd) on loopback that records what it accepts, and outbox helpers."""

from __future__ import annotations

import logging
import socket
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from flask import Flask, g
from sqlalchemy.orm import Session

from mdt.extensions import db
from mdt.mail import outbox
from mdt.mail.models import OutboxMessage


def free_port() -> int:
    """A loopback port nothing listens on (the OS picked it and we let it go)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Recorder:
    """aiosmtpd handler: keeps every message it accepts; can be told to refuse instead.

    ``rcpt_replies`` maps an address to the reply its RCPT TO gets; ``data_reply`` replaces
    the 250 after DATA; ``quit_reply`` replaces the 221 after QUIT.
    """

    received: list[Received] = field(default_factory=list)
    rcpt_replies: dict[str, str] = field(default_factory=dict)
    data_reply: str | None = None
    quit_reply: str | None = None

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, _opts: Any
    ) -> str:
        if address in self.rcpt_replies:
            return self.rcpt_replies[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.data_reply is not None:
            return self.data_reply
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append(Received(str(envelope.mail_from), list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        return self.quit_reply or "221 Bye"


class SMTPServer:
    """aiosmtpd's Controller on 127.0.0.1:port, started and stopped on demand."""

    def __init__(self, port: int, **smtp_options: Any) -> None:
        self.port = port
        self.handler = Recorder()
        self.smtp_options = smtp_options
        self._controller: Controller | None = None

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def start(self) -> None:
        self._controller = Controller(
            self.handler,
            hostname="127.0.0.1",
            port=self.port,
            server_hostname="smtp.test",  # not socket.getfqdn(), which may wait on DNS
            **self.smtp_options,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def app_config(self) -> dict[str, Any]:
        return {
            "MAIL_TRANSPORT": "smtp",
            "MAIL_SMTP_HOST": "127.0.0.1",
            "MAIL_SMTP_PORT": self.port,
            "MAIL_SMTP_TIMEOUT": 5,
        }


def queue(app: Flask, to: list[str], subject: str = "Hello", text: str = "Body\n") -> int:
    """Enqueue a message and commit, as a view would, and return the row's id.

    The message is left for the next ``deliver()``, as if the process that queued it
    stopped before its own after-commit delivery, so each test says when sending happens.
    """
    with app.app_context():
        row = outbox.enqueue(outbox.compose(to, subject, text))
        db.session.commit()
        g.pop("outbox_pending", None)
        return row.id


def deliver(app: Flask) -> tuple[int, int]:
    with app.app_context():
        return outbox.deliver()


def rows(session: Session) -> list[OutboxMessage]:
    """Every outbox row as the database has it now (other sessions commit to it)."""
    session.expire_all()
    return list(session.scalars(sa.select(OutboxMessage).order_by(OutboxMessage.id)))


def our_logs(caplog: pytest.LogCaptureFixture) -> str:
    """What our side logged, tracebacks included (the test SMTP server's own logs left out)."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    return "\n".join(
        formatter.format(r)
        for r in caplog.records
        if not r.name.startswith(("mail.log", "asyncio"))
    )
