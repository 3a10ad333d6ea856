"""audit rows are hash-chained; audit verifications and restores are recorded

Revision ID: k7bak0000001
Revises: k6cal0000001
Create Date: 2026-12-02

Each audit row gets previous_hash and hash (mdt.audit.chain); rows already there are chained
here in id order. audit_chain_head holds the newest row's hash: writers lock it before they
append, and a trigger moves it on with each insert. On SQLite a later migration that copies
audit_event (batch_alter_table) drops the trigger and must make it again (_head_trigger).
The outbox's new statuses (held, dropped) need no change: the column is a plain string.
"""

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC

import sqlalchemy as sa
from alembic import op

import mdt.core.db

revision: str = "k7bak0000001"
down_revision: str | None = "k6cal0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

GENESIS = "0" * 64
_BATCH = 5000


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.add_column(sa.Column("previous_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    last_hash, last_id = _chain_existing_rows()
    with op.batch_alter_table("audit_event") as batch:
        batch.alter_column("previous_hash", existing_type=sa.String(length=64), nullable=False)
        batch.alter_column("hash", existing_type=sa.String(length=64), nullable=False)
    head = op.create_table(
        "audit_chain_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_hash", sa.String(length=64), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_chain_head")),
    )
    op.bulk_insert(head, [{"id": 1, "last_hash": last_hash, "last_event_id": last_id}])
    _head_trigger()
    op.create_table(
        "audit_verification",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("rows_checked", sa.Integer(), nullable=False),
        sa.Column("broken_event_id", sa.Integer(), nullable=True),
        sa.Column("problem", sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_verification")),
    )
    op.create_table(
        "restore_record",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("restored_at", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("backup_taken_at", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("backup_revision", sa.String(length=40), nullable=False),
        sa.Column("held_messages", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restore_record")),
    )


def downgrade() -> None:
    op.drop_table("restore_record")
    op.drop_table("audit_verification")
    if op.get_context().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_event_chain_head ON audit_event")
        op.execute("DROP FUNCTION audit_chain_head_advance()")
    else:
        op.execute("DROP TRIGGER audit_event_chain_head")
    op.drop_table("audit_chain_head")
    op.execute("UPDATE outbox_message SET status = 'queued' WHERE status = 'held'")
    op.execute("UPDATE outbox_message SET status = 'failed' WHERE status = 'dropped'")
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("hash")
        batch.drop_column("previous_hash")


def _head_trigger() -> None:
    if op.get_context().dialect.name == "postgresql":
        # Once per statement (record() writes a page's rows in one), from the rows it added.
        op.execute(
            "CREATE FUNCTION audit_chain_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$ "
            "BEGIN UPDATE audit_chain_head SET last_hash = newest.hash, "
            "last_event_id = newest.id FROM (SELECT id, hash FROM added ORDER BY id DESC "
            "LIMIT 1) AS newest WHERE audit_chain_head.id = 1; RETURN NULL; END $$"
        )
        op.execute(
            "CREATE TRIGGER audit_event_chain_head AFTER INSERT ON audit_event "
            "REFERENCING NEW TABLE AS added FOR EACH STATEMENT "
            "EXECUTE FUNCTION audit_chain_head_advance()"
        )
    else:
        op.execute(
            "CREATE TRIGGER audit_event_chain_head AFTER INSERT ON audit_event BEGIN "
            "UPDATE audit_chain_head SET last_hash = NEW.hash, last_event_id = NEW.id "
            "WHERE id = 1; END"
        )


_EVENTS = sa.table(
    "audit_event",
    sa.column("id", sa.Integer),
    sa.column("at", mdt.core.db.UTCDateTime(timezone=True)),
    sa.column("user_id", sa.Integer),
    sa.column("patient_id", sa.Integer),
    sa.column("action", sa.String),
    sa.column("what", sa.String),
    sa.column("previous_hash", sa.String),
    sa.column("hash", sa.String),
)


def _chain_existing_rows() -> tuple[str, int | None]:
    """Chain the rows there are, in id order, as mdt.audit.chain.link does (copied here so
    this migration does the same whatever that module becomes)."""
    connection = op.get_bind()
    previous, after = GENESIS, 0
    last_id = None
    update = (
        sa.update(_EVENTS)
        .where(_EVENTS.c.id == sa.bindparam("row_id"))
        .values(previous_hash=sa.bindparam("p"), hash=sa.bindparam("h"))
    )
    while True:
        rows = connection.execute(
            sa.select(_EVENTS).where(_EVENTS.c.id > after).order_by(_EVENTS.c.id).limit(_BATCH)
        ).all()
        if not rows:
            return previous, last_id
        changes = []
        for row in rows:
            made = _link(previous, row)
            changes.append({"row_id": row.id, "p": previous, "h": made})
            previous, last_id = made, row.id
        connection.execute(update, changes)
        after = rows[-1].id


def _link(previous: str, row: sa.Row) -> str:  # type: ignore[type-arg]
    stamp = row.at.astimezone(UTC).isoformat(timespec="microseconds")
    content = [previous, stamp, row.user_id, row.patient_id, row.action, row.what]
    return hashlib.sha256(json.dumps(content, separators=(",", ":")).encode()).hexdigest()
