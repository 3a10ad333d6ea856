"""how far the reminder sweep has swept; subjects changed since

Revision ID: e1swp0000001
Revises: d9dir0000001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mdt.core.db

revision: str = "e1swp0000001"
down_revision: str | None = "d9dir0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reminder_sweep_mark",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("swept_until", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_sweep_mark")),
    )
    op.create_table(
        "reminder_recheck",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_recheck")),
    )


def downgrade() -> None:
    op.drop_table("reminder_recheck")
    op.drop_table("reminder_sweep_mark")
