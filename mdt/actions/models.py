from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.accounts.models import User
from mdt.core.db import Base, UTCDateTime
from mdt.core.revisions import Revisioned
from mdt.core.time import now_utc

if TYPE_CHECKING:
    from mdt.agenda.models import Case
    from mdt.meetings.models import Meeting
    from mdt.patients.models import Patient
    from mdt.teams.models import Team


class ActionStatus(enum.StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class ActionPoint(Revisioned, Base):
    """A follow-up from a meeting: exactly one owner, a due date, a status."""

    __tablename__ = "action_point"
    __table_args__ = (
        sa.Index("ix_action_point_team_status_due", "team_id", "status", "due_date"),
        #: A person's open actions (closed_at NULL) and those closed since a day, read from
        #: the index whatever the length of their history (see my_actions).
        sa.Index("ix_action_point_owner_closed", "owner_id", "closed_at"),
        #: Open actions by due date: each reminder shard reads the few days due from the
        #: index, not every team's open actions (73 → 7 ms a shard at region scale).
        sa.Index(
            "ix_action_point_open_due",
            "due_date",
            postgresql_where=sa.text("status = 'open'"),
            sqlite_where=sa.text("status = 'open'"),
        ),
        sa.CheckConstraint("(status = 'open') = (closed_at IS NULL)", name="closed_when_not_open"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("agenda_case.id", ondelete="SET NULL"), index=True
    )
    patient_id: Mapped[int | None] = mapped_column(sa.ForeignKey("patient.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(1000))
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"))
    due_date: Mapped[date]
    status: Mapped[ActionStatus] = mapped_column(
        sa.Enum(
            ActionStatus,
            native_enum=False,
            length=10,
            values_callable=lambda e: [m.value for m in e],
        ),
        default=ActionStatus.OPEN,
    )
    #: What was done (when done) or why it was cancelled.
    closing_note: Mapped[str] = mapped_column(sa.String(1000), default="")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    team: Mapped[Team] = relationship()
    meeting: Mapped[Meeting] = relationship()
    case: Mapped[Case | None] = relationship()
    patient: Mapped[Patient | None] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    history: Mapped[list[ActionChange]] = relationship(
        back_populates="action", cascade="all, delete-orphan", order_by="ActionChange.id"
    )

    @property
    def is_open(self) -> bool:
        return self.status is ActionStatus.OPEN

    def overdue(self, today: date) -> bool:
        return self.is_open and self.due_date < today


class ActionChange(Base):
    """One entry in an action's history: who did what, when."""

    __tablename__ = "action_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(
        sa.ForeignKey("action_point.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: created, reassigned, rescheduled, done, cancelled, reopened, edited.
    kind: Mapped[str] = mapped_column(sa.String(20))
    #: A sentence for people: "Handed over from Sam Whitfield to Jo Clarke".
    detail: Mapped[str] = mapped_column(sa.String(1200), default="")

    action: Mapped[ActionPoint] = relationship(back_populates="history")
    by: Mapped[User | None] = relationship(lazy="joined")
