"""What retention keeps: legal holds, and the anonymous counts left when records go."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.accounts.models import User
from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc
from mdt.minutes.models import Outcome


class LegalHold(Base):
    """While a hold is in place (not lifted) the patient is never disposed of, whatever
    their retention date. A lifted hold is kept, with who lifted it and why, until the
    patient is disposed of."""

    __tablename__ = "legal_hold"

    id: Mapped[int] = mapped_column(primary_key=True)
    patient_id: Mapped[int] = mapped_column(sa.ForeignKey("patient.id"), index=True)
    #: Why the records must be kept, e.g. a claim or an inquiry (no clinical detail).
    reason: Mapped[str] = mapped_column(sa.String(500))
    placed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    placed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    lift_reason: Mapped[str | None] = mapped_column(sa.String(500))
    lifted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    placed_by: Mapped[User | None] = relationship(foreign_keys=[placed_by_id])
    lifted_by: Mapped[User | None] = relationship(foreign_keys=[lifted_by_id])

    @property
    def active(self) -> bool:
        return self.lifted_at is None


def _outcome_enum() -> sa.Enum:
    return sa.Enum(
        Outcome, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
    )


class DisposedOutcome(Base):
    """A discussion whose case was disposed of: only what the reports count (its meeting and
    its outcome), so a team's figures are the same before and after a disposal."""

    __tablename__ = "disposed_outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    outcome: Mapped[Outcome] = mapped_column(_outcome_enum())


class DisposedPrep(Base):
    """A preparation request whose case was disposed of: the columns the reports read (who,
    which discipline, the deadline and when it was done), nothing about the patient."""

    __tablename__ = "disposed_prep"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    discipline: Mapped[str] = mapped_column(sa.String(60))
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
