from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.accounts.models import User
from mdt.core.db import Base, UTCDateTime
from mdt.core.revisions import Revisioned
from mdt.core.time import now_utc
from mdt.patients.models import Patient

if TYPE_CHECKING:
    from mdt.meetings.models import Meeting
    from mdt.prep.models import PrepRequest


class Priority(enum.StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"


class Triage(enum.StrEnum):
    DISCUSSION = "discussion"
    INFORMATION = "information"

    @property
    def label(self) -> str:
        return f"For {self.value}"


def _enum(cls: type[enum.Enum]) -> sa.Enum:
    return sa.Enum(
        cls, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e]
    )


class Case(Revisioned, Base):
    """A patient on one meeting's agenda, with why they are being discussed."""

    __tablename__ = "agenda_case"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "patient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patient.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(1000))
    referred_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    priority: Mapped[Priority] = mapped_column(_enum(Priority), default=Priority.ROUTINE)
    #: The person's own goals and preferences, in their words where possible.
    what_matters: Mapped[str] = mapped_column(sa.String(1000), default="")
    questions: Mapped[str] = mapped_column(sa.String(1000), default="")
    #: Disciplines whose input is needed, separated by "|".
    disciplines_needed: Mapped[str] = mapped_column(sa.String(500), default="")
    key_worker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    position: Mapped[int] = mapped_column(default=0)
    minutes: Mapped[int] = mapped_column(default=10)
    triage: Mapped[Triage] = mapped_column(_enum(Triage), default=Triage.DISCUSSION)
    #: Added after the agenda cut-off (urgent only), with the reason.
    late_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: Rolled forward from a closed meeting while the team had no next meeting booked; it
    #: joins the next meeting booked.
    waiting: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    meeting: Mapped[Meeting] = relationship()
    patient: Mapped[Patient] = relationship(lazy="joined")
    referred_by: Mapped[User | None] = relationship(foreign_keys=[referred_by_id])
    key_worker: Mapped[User | None] = relationship(foreign_keys=[key_worker_id])
    prep_requests: Mapped[list[PrepRequest]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="PrepRequest.id"
    )

    @property
    def disciplines(self) -> list[str]:
        return [d for d in self.disciplines_needed.split("|") if d]

    @property
    def is_late(self) -> bool:
        return self.late_reason is not None
