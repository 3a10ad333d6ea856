from __future__ import annotations

import enum
import re

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from mdt.accounts.models import User
from mdt.core.db import Base
from mdt.core.names import name_key
from mdt.core.revisions import Revisioned


class TeamRole(enum.StrEnum):
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    CORE_MEMBER = "core_member"
    ATTENDEE = "attendee"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


#: Disciplines an MDT counts for quorum: one each for health and social care input.
DISCIPLINES: tuple[str, ...] = (
    "General practice",
    "Practice nursing",
    "Community nursing",
    "Adult social care",
    "Pharmacy",
    "Palliative care",
    "Mental health",
    "Therapies",
    "Geriatric medicine",
    "Social prescribing",
    "Voluntary sector",
    "Coordination",
    "Other",
)


#: "MDT" as a word of a team's name, whatever its case ("Riverside MDT", "MDT (north)").
_NAMES_AN_MDT = re.compile(r"\bMDT\b", re.IGNORECASE)


def mdt_name(team_name: str) -> str:
    """The team's name as an MDT, for text such as "the Riverside MDT meeting": most teams
    are already called "... MDT", and must not become "... MDT MDT"."""
    return team_name if _NAMES_AN_MDT.search(team_name) else f"{team_name} MDT"


class Team(Revisioned, Base):
    """One MDT: who meets, where, and in which time zone."""

    __tablename__ = "team"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    #: The name as compared for uniqueness (mdt.core.names.name_key), kept with the name.
    name_key: Mapped[str] = mapped_column(sa.String(480), index=True, unique=True)
    description: Mapped[str] = mapped_column(sa.String(2000), default="")
    #: IANA zone the team's times are agreed in; occurrences are expanded in it.
    time_zone: Mapped[str] = mapped_column(sa.String(64), default="Europe/London")
    default_location: Mapped[str] = mapped_column(sa.String(200), default="")
    default_video_link: Mapped[str] = mapped_column(sa.String(500), default="")
    #: Working days before a meeting that its agenda closes (only urgent cases after).
    agenda_cutoff_days: Mapped[int] = mapped_column(default=2, server_default="2")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="team", cascade="all, delete-orphan", order_by="Membership.id"
    )

    @validates("name")
    def _keep_name_key(self, _attribute: str, name: str) -> str:
        self.name_key = name_key(name)
        return name

    @property
    def mdt_name(self) -> str:
        """The name as an MDT: "Oakfield Frailty MDT", or "Oakfield MDT" for "Oakfield"."""
        return mdt_name(self.name)

    def membership_of(self, user: User) -> Membership | None:
        return next((m for m in self.memberships if m.user_id == user.id), None)

    def active_coordinators(self) -> list[User]:
        """Who hears about the team's loose ends (prep open, actions overdue, minutes)."""
        return [
            m.user for m in self.memberships if m.role is TeamRole.COORDINATOR and m.user.is_active
        ]

    def can_view(self, user: User) -> bool:
        return user.is_admin or self.membership_of(user) is not None

    def can_manage(self, user: User) -> bool:
        membership = self.membership_of(user)
        return user.is_admin or (membership is not None and membership.role is TeamRole.COORDINATOR)


class Membership(Base):
    __tablename__ = "membership"
    __table_args__ = (sa.UniqueConstraint("team_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(sa.ForeignKey("team.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    role: Mapped[TeamRole] = mapped_column(
        sa.Enum(
            TeamRole, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]
        )
    )
    discipline: Mapped[str] = mapped_column(sa.String(60))
    #: Who stands in for a core member when they cannot attend.
    deputy_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    team: Mapped[Team] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship(
        back_populates="memberships", foreign_keys=[user_id], lazy="joined"
    )
    deputy: Mapped[User | None] = relationship(foreign_keys=[deputy_id], lazy="joined")
