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
from mdt.teams.models import Team, TeamRole

if TYPE_CHECKING:
    from mdt.slots.models import SlotSeries


def _enum(cls: type[enum.Enum], length: int) -> sa.Enum:
    return sa.Enum(
        cls, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e]
    )


class MeetingStatus(enum.StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"


class Reply(enum.StrEnum):
    NONE = "none"
    IN_PERSON = "in_person"
    REMOTE = "remote"
    APOLOGIES = "apologies"

    @property
    def label(self) -> str:
        return REPLY_LABELS[self]


REPLY_LABELS = {
    Reply.NONE: "No reply yet",
    Reply.IN_PERSON: "Attending in person",
    Reply.REMOTE: "Attending remotely",
    Reply.APOLOGIES: "Apologies",
}


class Attendance(enum.StrEnum):
    PRESENT = "present"
    REMOTE = "remote"
    ABSENT = "absent"
    APOLOGIES = "apologies"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Meeting(Revisioned, Base):
    """One booked MDT meeting, usually in an occurrence of a protected slot series.

    Its revision goes up on every change; calendars use it as SEQUENCE, forms to refuse
    stale edits."""

    __tablename__ = "meeting"
    __table_args__ = (sa.UniqueConstraint("series_id", "occurrence_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("slot_series.id", ondelete="SET NULL")
    )
    #: The series occurrence (its original local date) this meeting was booked into.
    occurrence_date: Mapped[date | None]
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    location: Mapped[str] = mapped_column(sa.String(200), default="")
    video_link: Mapped[str] = mapped_column(sa.String(500), default="")
    chair_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    minute_taker_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    status: Mapped[MeetingStatus] = mapped_column(
        _enum(MeetingStatus, 10), default=MeetingStatus.SCHEDULED
    )
    #: Why an ad-hoc meeting is outside protected time; set exactly when it is.
    outside_protected_reason: Mapped[str | None] = mapped_column(sa.String(300))
    #: The reason for the last reschedule or the cancellation.
    change_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: When the chair closed the meeting (status becomes held).
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    #: When the minutes went to the outbox; reports compare it with the meeting's end.
    minutes_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    team: Mapped[Team] = relationship()
    series: Mapped[SlotSeries | None] = relationship()
    chair: Mapped[User | None] = relationship(foreign_keys=[chair_id])
    minute_taker: Mapped[User | None] = relationship(foreign_keys=[minute_taker_id])
    invitations: Mapped[list[Invitation]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Invitation.id"
    )

    @property
    def in_protected_time(self) -> bool:
        return self.outside_protected_reason is None

    def invitation_of(self, user: User) -> Invitation | None:
        return next((i for i in self.invitations if i.user_id == user.id), None)

    def can_run(self, user: User) -> bool:
        """Runs the meeting (meeting mode, attendance, the pack, readiness): its chair or
        minute-taker, a chair of its team, or whoever manages the team. Its team's
        memberships must be loaded."""
        return (
            self.team.can_manage(user)
            or self.chair_id == user.id
            or self.minute_taker_id == user.id
            or any(m.user_id == user.id and m.role is TeamRole.CHAIR for m in self.team.memberships)
        )


class Invitation(Base):
    """A person invited to a meeting: their reply beforehand and their attendance on the day."""

    __tablename__ = "invitation"
    __table_args__ = (sa.UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meeting.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: The discipline they bring to this meeting (a cover brings the absent member's).
    discipline: Mapped[str] = mapped_column(sa.String(60))
    #: Counts towards quorum: core members, chairs, and whoever covers for one.
    counts_for_quorum: Mapped[bool] = mapped_column(default=False)
    #: Set when this person attends in place of a member who sent apologies.
    covering_for_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    reply: Mapped[Reply] = mapped_column(_enum(Reply, 10), default=Reply.NONE)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attendance: Mapped[Attendance | None] = mapped_column(_enum(Attendance, 10))
    attendance_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    meeting: Mapped[Meeting] = relationship(back_populates="invitations")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
    covering_for: Mapped[User | None] = relationship(foreign_keys=[covering_for_id])
