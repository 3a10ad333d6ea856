"""The directory: services and people, each with the date it was last checked."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.accounts.models import User
from mdt.core.days import SERVICE_ZONE, to_local
from mdt.core.db import Base, UTCDateTime
from mdt.core.revisions import Revisioned
from mdt.core.time import now_utc

if TYPE_CHECKING:
    from mdt.organisations.models import Organisation

#: An entry not checked for this long is stale.
STALE_AFTER = timedelta(days=90)
#: Entries belong to no team, so their days (when one turns stale) are London's.
DIRECTORY_ZONE = SERVICE_ZONE


def stale_on(verified_at: datetime) -> date:
    """The local day an entry last checked at `verified_at` becomes stale: whole days, so
    it turns stale at midnight, not at the minute it was checked 90 days earlier."""
    return to_local(verified_at, DIRECTORY_ZONE).date() + STALE_AFTER


def is_stale(verified_at: datetime, now: datetime) -> bool:
    return to_local(now, DIRECTORY_ZONE).date() >= stale_on(verified_at)


class Service(Revisioned, Base):
    """A service colleagues refer to: a falls clinic, social prescribing, a carers' centre."""

    __tablename__ = "directory_service"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    #: What the service does.
    description: Mapped[str] = mapped_column(sa.String(2000))
    who_for: Mapped[str] = mapped_column(sa.String(1000))
    how_to_refer: Mapped[str] = mapped_column(sa.String(1000))
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    opening_hours: Mapped[str] = mapped_column(sa.String(300), default="")
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: Who keeps the entry right: reminded when it turns stale.
    owner_id: Mapped[int] = mapped_column(sa.ForeignKey("user_account.id"), index=True)
    #: When someone last confirmed (or saved) the entry; creating it counts.
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    organisation: Mapped[Organisation] = relationship()
    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])

    def can_edit(self, user: User) -> bool:
        return user.is_admin or user.id == self.owner_id

    def is_stale(self, now: datetime) -> bool:
        return is_stale(self.verified_at, now)

    def __repr__(self) -> str:
        return f"<Service {self.id} {self.name!r}>"


class PersonCheck(Base):
    """When a person's directory entry (the contact details on their account) was last
    confirmed, and by whom. No row: never confirmed, counted from the account's creation."""

    __tablename__ = "directory_person_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    verified_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    verified_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )

    verified_by: Mapped[User | None] = relationship(foreign_keys=[verified_by_id])


def person_verified_at(user: User, check: PersonCheck | None) -> datetime:
    return check.verified_at if check is not None else user.created_at
