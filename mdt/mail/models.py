from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc


class OutboxStatus(enum.StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    #: The server refused it for good (5xx); kept, with the error, for an administrator.
    FAILED = "failed"
    #: Queued or being sent when the backup a database was restored from was taken: it may
    #: have gone already, so it waits for an administrator to release it (or drop it).
    HELD = "held"
    #: Held, then dropped by an administrator: kept, never sent.
    DROPPED = "dropped"


class OutboxMessage(Base):
    """A message waiting to be sent, or sent. Rows are never deleted by delivery."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        sa.Index("ix_outbox_message_status_next", "status", "next_attempt_at"),
        sa.CheckConstraint("mime IS NOT NULL OR body IS NOT NULL", name="mime_or_body"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Comma-separated addresses the message goes to.
    recipients: Mapped[str] = mapped_column(sa.String(2000))
    subject: Mapped[str] = mapped_column(sa.String(300))
    #: The whole MIME message as it will go out; None for a plain-text message queued in
    #: bulk (``outbox.enqueue_texts``), which is composed from `body` when it is sent.
    mime: Mapped[str | None] = mapped_column(sa.Text)
    #: The text of a message queued in bulk; None when `mime` holds the whole message.
    body: Mapped[str | None] = mapped_column(sa.Text)
    #: The Message-ID a message queued in bulk goes out with, fixed when it was queued so
    #: that a retry is the same message (its Date is `created_at`).
    message_id: Mapped[str | None] = mapped_column(sa.String(250))
    status: Mapped[OutboxStatus] = mapped_column(
        sa.Enum(
            OutboxStatus,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=OutboxStatus.QUEUED,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(sa.String(1000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
