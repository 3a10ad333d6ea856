from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc


class AuditEvent(Base):
    """Who viewed, created, changed or exported which patient's data, and when.

    Append-only: the app has no code path that updates or deletes these rows. The patient
    and the user are named by id, without foreign keys: a key would make every audited view
    lock each patient it showed (PostgreSQL checks a key with SELECT ... FOR KEY SHARE, which
    writes the lock into the patient's row: 5-10 µs a row, measured), and would tie the record of
    what happened to rows that may later change. The ids are always those just read.
    """

    __tablename__ = "audit_event"
    __table_args__ = (sa.Index("ix_audit_event_patient_at", "patient_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    user_id: Mapped[int | None] = mapped_column(index=True)
    #: The FHIR API client (mdt.fhir) that acted, when a system did rather than a person.
    client_id: Mapped[int | None]
    patient_id: Mapped[int]
    #: view, create, update or export.
    action: Mapped[str] = mapped_column(sa.String(10))
    #: What was seen or done, e.g. "case 12 on the agenda of meeting 4". Never clinical text.
    what: Mapped[str] = mapped_column(sa.String(200))
