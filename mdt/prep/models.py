from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.accounts.models import User
from mdt.agenda.models import Case
from mdt.core.db import Base, UTCDateTime
from mdt.core.revisions import Revisioned


class Known(enum.StrEnum):
    YES = "yes"
    NO = "no"
    NOT_CHECKED = "not_checked"

    @property
    def label(self) -> str:
        return {
            "yes": "Known to my service",
            "no": "Not known to my service",
            "not_checked": "Not checked yet",
        }[self.value]


class PrepRequest(Revisioned, Base):
    """One attendee's preparation of one case before the meeting."""

    __tablename__ = "prep_request"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "user_id"),
        # What a person still owes (My prep, the dashboard): a few dozen of the hundreds of
        # requests a person gathers over three years.
        sa.Index(
            "ix_prep_request_open_user_id",
            "user_id",
            postgresql_where=sa.text("completed_at IS NULL"),
            sqlite_where=sa.text("completed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_case.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: The discipline they prepare for (their membership's).
    discipline: Mapped[str] = mapped_column(sa.String(60))
    #: The agenda cut-off of the case's meeting.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    known: Mapped[Known | None] = mapped_column(
        sa.Enum(Known, native_enum=False, length=12, values_callable=lambda e: [m.value for m in e])
    )
    involvement: Mapped[str] = mapped_column(sa.String(1000), default="")
    concerns: Mapped[str] = mapped_column(sa.String(1000), default="")
    safeguarding: Mapped[bool] = mapped_column(default=False)
    needs: Mapped[str] = mapped_column(sa.String(1000), default="")
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who handed this request over, if it was handed to a colleague.
    handed_over_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))

    case: Mapped[Case] = relationship(back_populates="prep_requests")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    handed_over_by: Mapped[User | None] = relationship(foreign_keys=[handed_over_by_id])

    @property
    def done(self) -> bool:
        return self.completed_at is not None

    def overdue(self, now: datetime) -> bool:
        return not self.done and self.due_at < now
