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


class Outcome(enum.StrEnum):
    PLAN_AGREED = "plan_agreed"
    REFER_ON = "refer_on"
    NO_FURTHER_ACTION = "no_further_action"
    DEFER = "defer"
    #: Set when the meeting closes without reaching the case; it rolls forward.
    NOT_REACHED = "not_reached"

    @property
    def label(self) -> str:
        return OUTCOME_LABELS[self]


OUTCOME_LABELS = {
    Outcome.PLAN_AGREED: "Plan agreed",
    Outcome.REFER_ON: "Refer on",
    Outcome.NO_FURTHER_ACTION: "No further MDT action",
    Outcome.DEFER: "Defer to next meeting",
    Outcome.NOT_REACHED: "Not reached: carried to the next meeting",
}
#: What a minute-taker can choose; "not reached" is only ever set by closing the meeting.
CHOSEN_OUTCOMES = (
    Outcome.PLAN_AGREED,
    Outcome.REFER_ON,
    Outcome.NO_FURTHER_ACTION,
    Outcome.DEFER,
)
#: Outcomes after which the case leaves this meeting for the next one.
ROLLS_FORWARD = (Outcome.DEFER, Outcome.NOT_REACHED)


class Discussion(Revisioned, Base):
    """What one meeting decided about one case. A deferred case is discussed at several
    meetings, so this is per (meeting, case), and the minutes keep every one of them."""

    __tablename__ = "discussion"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(
        sa.ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_case.id", ondelete="CASCADE"), index=True
    )
    summary: Mapped[str] = mapped_column(sa.String(4000), default="")
    outcome: Mapped[Outcome] = mapped_column(
        sa.Enum(
            Outcome, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        )
    )
    review_date: Mapped[date | None]
    #: Why an outcome was recorded while the meeting was not quorate; shown in the minutes.
    quorum_override: Mapped[str | None] = mapped_column(sa.String(300))
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    meeting: Mapped[Meeting] = relationship()
    case: Mapped[Case] = relationship()
    recorded_by: Mapped[User | None] = relationship(lazy="joined")
