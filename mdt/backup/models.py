from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc


class RestoreRecord(Base):
    """A restore into this database (`mdt restore`): when, from a backup taken when, and
    how much queued mail it held for an administrator."""

    __tablename__ = "restore_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    restored_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    backup_taken_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The schema revision the backup was taken at (the restore upgrades from it).
    backup_revision: Mapped[str] = mapped_column(sa.String(40))
    held_messages: Mapped[int]
