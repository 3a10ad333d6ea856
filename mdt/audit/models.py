from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc

#: The hash a chain starts from (the installation's first row names it as its previous one).
GENESIS = "0" * 64


class AuditEvent(Base):
    """Who viewed, created, changed or exported which patient's data, and when.

    Append-only: the app has no code path that updates or deletes these rows. The patient
    and the user are named by id, without foreign keys: a key would make every audited view
    lock each patient it showed (PostgreSQL checks a key with SELECT ... FOR KEY SHARE, which
    writes the lock into the patient's row: 5-10 µs a row, measured), and would tie the record of
    what happened to rows that may later change. The ids are always those just read.

    Tamper-evident: each row carries the hash of its own content and of the row before it (in
    id order, over the whole installation; mdt.audit.chain), so editing, deleting or reordering
    a row breaks the chain at that row (`mdt audit verify`). Rows are written only through
    mdt.audit.operations.append, which takes the chain's head first (AuditChainHead).
    """

    __tablename__ = "audit_event"
    # By time: the audit page's newest rows and retention's cutoff (3 million rows: the
    # page 476 ms without it, 0.33 ms with it; docs/benchmarks.md).
    __table_args__ = (
        sa.Index("ix_audit_event_patient_at", "patient_id", "at"),
        sa.Index("ix_audit_event_at", "at"),
    )

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
    #: The hash of the row before this one (GENESIS for the first). After the oldest rows are
    #: disposed of, the first remaining row's is where verification starts from.
    previous_hash: Mapped[str] = mapped_column(sa.String(64))
    #: sha256 of previous_hash and this row's content (mdt.audit.chain.link), hex.
    hash: Mapped[str] = mapped_column(sa.String(64))


class AuditChainHead(Base):
    """One row: the newest audit row's hash. Writers take it FOR UPDATE before appending, so
    on PostgreSQL concurrent requests chain one after another, never from the same row; a
    trigger on audit_event (see the migration k7bak0000001) moves it on with each insert.
    Verification also checks the newest row against it, so deleting the newest rows shows.

    What it costs an audited page on PostgreSQL (EXPLAIN ANALYZE, 30 runs in one session, a
    list of 17): taking the head 0.035 ms, the trigger 0.083 ms, and one more round trip.
    Rows are recorded after the page is rendered, so the lock is held only to the commit."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_hash: Mapped[str] = mapped_column(sa.String(64))
    #: The id of the row last_hash belongs to; None before the first row.
    last_event_id: Mapped[int | None]


class AuditVerification(Base):
    """The outcome of a run of `mdt audit verify` (the audit log shows the latest)."""

    __tablename__ = "audit_verification"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    ok: Mapped[bool]
    rows_checked: Mapped[int]
    #: The first row whose link is broken (None when the chain held, or a newest row is gone).
    broken_event_id: Mapped[int | None]
    #: What was wrong, for the administrator; None when the chain held.
    problem: Mapped[str | None] = mapped_column(sa.String(300))
