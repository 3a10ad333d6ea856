"""a session remembers its last request, so that one left idle ends

Revision ID: k4aut0000001
Revises: k3esc0000001
Create Date: 2026-12-02

[security] idle_minutes (60 by default) ends a session that has had no request for that
long, besides the hours since signing in. Sessions open at the upgrade count as last seen
when they began.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mdt.core.db

revision: str = "k4aut0000001"
down_revision: str | None = "k3esc0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(
            sa.Column("last_seen_at", mdt.core.db.UTCDateTime(timezone=True), nullable=True)
        )
    op.execute("UPDATE user_session SET last_seen_at = created_at")
    with op.batch_alter_table("user_session") as batch:
        batch.alter_column(
            "last_seen_at", existing_type=mdt.core.db.UTCDateTime(timezone=True), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("last_seen_at")
