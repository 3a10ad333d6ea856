"""the reminder sweep split into shards: a mark and rechecks per shard; open actions by due

Revision ID: l1shd0000001
Revises: passkey000001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "l1shd0000001"
down_revision: str | None = "passkey000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: As mdt/reminders/models.py's SHARDS when this was written (a migration keeps its own).
SHARDS = 8


def upgrade() -> None:
    op.create_index(
        "ix_action_point_open_due",
        "action_point",
        ["due_date"],
        unique=False,
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
    with op.batch_alter_table("reminder_recheck", schema=None) as batch_op:
        batch_op.add_column(sa.Column("shard", sa.Integer(), nullable=False, server_default="0"))
        batch_op.create_index("ix_reminder_recheck_shard_id", ["shard", "id"], unique=False)
    # What waited for the one sweep now waits for every shard's.
    for shard in range(1, SHARDS):
        op.execute(
            "INSERT INTO reminder_recheck (shard, subject) "
            f"SELECT {shard}, subject FROM reminder_recheck WHERE shard = 0"
        )
    # Every shard starts where the one sweep stopped (shard 1 is its row already).
    for shard in (0, *range(2, SHARDS)):
        op.execute(
            "INSERT INTO reminder_sweep_mark (id, swept_until) "
            f"SELECT {shard}, swept_until FROM reminder_sweep_mark WHERE id = 1"
        )


def downgrade() -> None:
    op.drop_index(
        "ix_action_point_open_due",
        table_name="action_point",
        postgresql_where=sa.text("status = 'open'"),
        sqlite_where=sa.text("status = 'open'"),
    )
    op.execute("DELETE FROM reminder_sweep_mark WHERE id <> 1")
    op.execute("DELETE FROM reminder_recheck WHERE shard <> 0")
    with op.batch_alter_table("reminder_recheck", schema=None) as batch_op:
        batch_op.drop_index("ix_reminder_recheck_shard_id")
        batch_op.drop_column("shard")
