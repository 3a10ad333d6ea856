from __future__ import annotations

from datetime import date, datetime, time
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.core.db import Base, UTCDateTime
from mdt.core.recurrence import FREQUENCY_TYPE, Frequency, Rule
from mdt.core.revisions import Revisioned
from mdt.core.time import now_utc

if TYPE_CHECKING:
    from mdt.teams.models import Team


class RecurrenceMixin:
    """The columns of a recurrence rule, for slot series and members' commitments."""

    frequency: Mapped[Frequency] = mapped_column(FREQUENCY_TYPE)
    #: For weekly rules: every `interval` weeks from the start date.
    interval: Mapped[int] = mapped_column(default=1)
    #: 0 = Monday ... 6 = Sunday.
    weekday: Mapped[int]
    #: For monthly rules: 1-4, or -1 for the last such weekday of the month.
    ordinal: Mapped[int | None]
    start_date: Mapped[date]
    end_date: Mapped[date | None]

    @property
    def rule(self) -> Rule:
        return Rule(
            frequency=self.frequency,
            weekday=self.weekday,
            start_date=self.start_date,
            interval=self.interval,
            ordinal=self.ordinal,
            end_date=self.end_date,
        )


class SlotSeries(Revisioned, RecurrenceMixin, Base):
    """A team's recurring protected time for MDT meetings."""

    __tablename__ = "slot_series"

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(sa.String(120))
    #: Local wall-clock start in `time_zone`; stays put across clock changes.
    start_time: Mapped[time]
    duration_minutes: Mapped[int]
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="Europe/London")
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    video_link: Mapped[str] = mapped_column(sa.String(500), default="")
    skip_bank_holidays: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    team: Mapped[Team] = relationship()
    exceptions: Mapped[list[SlotException]] = relationship(
        back_populates="series",
        cascade="all, delete-orphan",
        order_by="SlotException.original_date",
    )


class SlotException(Base):
    """One occurrence of a series cancelled or moved, with the reason; the series stays."""

    __tablename__ = "slot_exception"
    __table_args__ = (sa.UniqueConstraint("series_id", "original_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(sa.ForeignKey("slot_series.id", ondelete="CASCADE"))
    #: The local date the occurrence would have had.
    original_date: Mapped[date]
    cancelled: Mapped[bool] = mapped_column(default=False)
    #: Where a moved occurrence now starts (its length stays the series').
    moved_to: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(sa.String(300))
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    series: Mapped[SlotSeries] = relationship(back_populates="exceptions")
