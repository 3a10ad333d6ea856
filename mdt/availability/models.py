from __future__ import annotations

import enum
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mdt.core.db import Base, UTCDateTime
from mdt.core.recurrence import FREQUENCY_TYPE, Frequency, Rule
from mdt.core.time import now_utc


class CommitmentKind(enum.StrEnum):
    RECURRING = "recurring"  # a clinic, surgery or visits block that repeats
    ABSENCE = "absence"  # leave, training: whole days from start_date to end_date


class Commitment(Base):
    """Time a person cannot attend: a recurring block or a one-off absence."""

    __tablename__ = "commitment"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[CommitmentKind] = mapped_column(
        sa.Enum(
            CommitmentKind,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    label: Mapped[str] = mapped_column(sa.String(120))
    start_date: Mapped[date]
    #: Inclusive; for a recurring block, when it stops (None: open-ended).
    end_date: Mapped[date | None]
    # Recurring blocks only:
    frequency: Mapped[Frequency | None] = mapped_column(FREQUENCY_TYPE)
    interval: Mapped[int] = mapped_column(default=1)
    weekday: Mapped[int | None]
    ordinal: Mapped[int | None]
    start_time: Mapped[time | None]
    end_time: Mapped[time | None]
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="Europe/London")
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    @property
    def rule(self) -> Rule:
        assert self.kind is CommitmentKind.RECURRING and self.frequency and self.weekday is not None
        return Rule(
            frequency=self.frequency,
            weekday=self.weekday,
            start_date=self.start_date,
            interval=self.interval,
            ordinal=self.ordinal,
            end_date=self.end_date,
        )
