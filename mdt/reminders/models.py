from __future__ import annotations

import enum
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.accounts.models import User
from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc
from mdt.mail.models import OutboxMessage


class ReminderStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    #: Its subject was resolved before it went (meeting cancelled, apologies sent...).
    SKIPPED = "skipped"


class Reminder(Base):
    """One thing one person is to be reminded of; the unique key makes the sweep re-runnable."""

    __tablename__ = "reminder"
    __table_args__ = (
        sa.UniqueConstraint("kind", "subject", "user_id", "due_at"),
        # Not status: marking thousands sent then changes no index, and on PostgreSQL (half
        # of each page left free, migration g1rem0000001) is made on the row's own page.
        sa.Index("ix_reminder_due_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The producing function's name in mdt.reminders.kinds, e.g. "meeting_tomorrow".
    kind: Mapped[str] = mapped_column(sa.String(40))
    #: What it is about, as "<type>:<id>" (e.g. "meeting:42"); never a patient's details.
    subject: Mapped[str] = mapped_column(sa.String(80))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    #: Whose digest it goes in, and whose time zone and working days it follows. None for
    #: what belongs to no team (a directory entry): those share a digest of their own.
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[ReminderStatus] = mapped_column(
        sa.Enum(
            ReminderStatus,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ReminderStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: When it was handed to the outbox (in the same transaction); the outbox delivers it.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The email it went out in, alone or in a digest with others.
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL")
    )

    user: Mapped[User] = relationship()
    outbox_message: Mapped[OutboxMessage | None] = relationship()

    @property
    def key(self) -> tuple[str, str, int, datetime]:
        return (self.kind, self.subject, self.user_id, self.due_at)


class ReminderDigest(Base):
    """The one digest email a person gets from a team on a day (the keys enforce the one).

    A digest of reminders that belong to no team has no team_id; NULLs never collide in a
    unique constraint, so a partial unique index keeps that one a day too.
    """

    __tablename__ = "reminder_digest"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "team_id", "day"),
        sa.Index(
            "uq_reminder_digest_user_id_day_no_team",
            "user_id",
            "day",
            unique=True,
            sqlite_where=sa.text("team_id IS NULL"),
            postgresql_where=sa.text("team_id IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    #: The local date (in the team's time zone) it was sent on.
    day: Mapped[date]
    outbox_message_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("outbox_message.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    outbox_message: Mapped[OutboxMessage | None] = relationship()


class ReminderPreference(Base):
    """How a person wants reminders; no row means the default, a daily digest per team."""

    __tablename__ = "reminder_preference"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    #: Each reminder in its own email as soon as it is due, rather than in the digest.
    immediate: Mapped[bool] = mapped_column(default=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class SchedulerHeartbeat(Base):
    """One row per running scheduler process, written on each of its sweeps."""

    __tablename__ = "scheduler_heartbeat"

    #: "host:pid" of the process.
    name: Mapped[str] = mapped_column(sa.String(300), primary_key=True)
    pid: Mapped[int]
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


#: The sweep's work is split by team into this many shards (team id modulo SHARDS; what
#: belongs to no team goes with shard 0), so that several schedulers share a minute's work,
#: each claiming the shards no other holds (mdt/reminders/shards.py).
SHARDS = 8


class ReminderSweepMark(Base):
    """How far the sweep has swept one shard (a row each, `id` the shard): its next sweep
    derives what fell due after it, so a minute's sweep asks only about that minute."""

    __tablename__ = "reminder_sweep_mark"

    #: The shard, 0 to SHARDS - 1.
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: The `now` of the last sweep that was committed.
    swept_until: Mapped[datetime] = mapped_column(UTCDateTime)


class ReminderRecheck(Base):
    """A subject ("meeting:42") changed since the last sweep, noted in the same transaction
    as the change (mdt/reminders/recheck.py): the next sweep derives its reminders over the
    whole look-back, so one booked or moved after its due time is still sent, as it is found."""

    __tablename__ = "reminder_recheck"
    #: Each shard takes its own rows (a subject is noted once for each shard: a subject
    #: does not say its team, and each shard derives it for its own teams).
    __table_args__ = (sa.Index("ix_reminder_recheck_shard_id", "shard", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shard: Mapped[int] = mapped_column(default=0)
    subject: Mapped[str] = mapped_column(sa.String(80))
