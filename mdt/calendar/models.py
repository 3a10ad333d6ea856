from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc

if TYPE_CHECKING:
    from mdt.accounts.models import User
    from mdt.teams.models import Team


class MeetingDelivery(enum.StrEnum):
    """How meetings reach a person's calendar app; protected time is always in the feed."""

    #: By email invitation until the person makes a feed link, then through the feed.
    AUTO = "auto"
    EMAIL = "email"
    FEED = "feed"
    BOTH = "both"

    @property
    def label(self) -> str:
        return DELIVERY_LABELS[self]


DELIVERY_LABELS = {
    MeetingDelivery.AUTO: "Automatically: by email invitation, or through my calendar feed once "
    "I have made a feed link",
    MeetingDelivery.EMAIL: "By email invitation only",
    MeetingDelivery.FEED: "Through my calendar feed only",
    MeetingDelivery.BOTH: "Both (for example, invitations at work and the feed on my phone)",
}


class CalendarFeed(Base):
    """A secret feed address: a person's own calendar or a team's shared one. Only the hash
    of the token is kept; deleting the row revokes it, replacing the hash rotates it."""

    __tablename__ = "calendar_feed"
    __table_args__ = (
        sa.CheckConstraint("(user_id IS NULL) <> (team_id IS NULL)", name="one_owner"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    team_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("team.id", ondelete="CASCADE"), unique=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    #: When the current token was made (a rotation makes a new one).
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    team: Mapped[Team | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])


class CalendarPreference(Base):
    """A person's choice of how meetings reach their calendar (no row: automatic)."""

    __tablename__ = "calendar_preference"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    meeting_delivery: Mapped[MeetingDelivery] = mapped_column(
        sa.Enum(
            MeetingDelivery,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=MeetingDelivery.AUTO,
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class FeedClock(Base):
    """Ticks whenever a table that a feed's validator reads is written, whoever writes it: a
    database trigger on each of those tables (migration f1clk0000001) adds one to a shard in
    the writing transaction, so a reader sees the tick exactly when it sees the change.

    A feed's validator is kept per worker by (feed, window, sum of the ticks): a poll while
    nothing was written needs no validator statement (mdt.calendar.validators). On PostgreSQL
    a writer ticks the shard of its backend (pid modulo 8), so concurrent writers rarely
    wait on the same row; SQLite has one writer at a time and ticks shard 0."""

    __tablename__ = "feed_clock"

    shard: Mapped[int] = mapped_column(sa.SmallInteger, primary_key=True, autoincrement=False)
    ticks: Mapped[int] = mapped_column(sa.BigInteger, default=0)


class CalendarIdentity(Base):
    """How this installation names its calendar events: the part of every UID after the @.
    A row exists only in an installation that already wrote calendars before UIDs were
    named per installation (migration k6cal0000001 keeps its "mdt-coordinator", so its
    people's calendars keep matching); otherwise the name comes from BASE_URL's host.
    The setting CALENDAR_UID_DOMAIN, when given, overrides both."""

    __tablename__ = "calendar_identity"
    __table_args__ = (sa.CheckConstraint("id = 1", name="one_row"),)

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False, default=1)
    uid_domain: Mapped[str] = mapped_column(sa.String(253))
