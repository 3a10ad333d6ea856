"""an index of each person's open prep requests

Revision ID: f3prep000001
Revises: f1clk0000001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f3prep000001"
down_revision: str | None = "f1clk0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_prep_request_open_user_id",
        "prep_request",
        ["user_id"],
        postgresql_where=sa.text("completed_at IS NULL"),
        sqlite_where=sa.text("completed_at IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ix_prep_request_open_user_id", table_name="prep_request")
