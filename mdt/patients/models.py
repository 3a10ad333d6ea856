from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.core.db import Base, UTCDateTime
from mdt.core.revisions import Revisioned
from mdt.core.time import now_utc
from mdt.organisations.models import Organisation


class Patient(Revisioned, Base):
    """The minimum the MDT needs to know who is discussed."""

    __tablename__ = "patient"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Ten digits, no spaces; shown 3-3-4.
    nhs_number: Mapped[str] = mapped_column(sa.String(10), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    date_of_birth: Mapped[date]
    registered_practice_id: Mapped[int] = mapped_column(
        sa.ForeignKey("organisation.id"), index=True
    )
    #: The person objects to being discussed at an MDT: they cannot be added to an agenda.
    objects_to_sharing: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    registered_practice: Mapped[Organisation] = relationship(lazy="joined")

    @property
    def nhs_number_display(self) -> str:
        n = self.nhs_number
        return f"{n[:3]} {n[3:6]} {n[6:]}"
