"""re-authentication time on sessions; security events (factor resets, sign-in settings)

Revision ID: reauth0000001
Revises: kdmfa0000001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mdt.core.db

revision: str = "reauth0000001"
down_revision: str | None = "kdmfa0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (nullable, no default): no table copy on SQLite.
    op.add_column(
        "user_session",
        sa.Column("authenticated_at", mdt.core.db.UTCDateTime(timezone=True), nullable=True),
    )
    op.create_table(
        "security_event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["user_account.id"],
            name=op.f("fk_security_event_actor_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_security_event_user_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_security_event_organisation_id_organisation"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_security_event")),
    )
    op.create_index(
        op.f("ix_security_event_actor_id"), "security_event", ["actor_id"], unique=False
    )
    op.create_index(op.f("ix_security_event_user_id"), "security_event", ["user_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_security_event_user_id"), table_name="security_event")
    op.drop_index(op.f("ix_security_event_actor_id"), table_name="security_event")
    op.drop_table("security_event")
    with op.batch_alter_table("user_session") as batch:
        batch.drop_column("authenticated_at")
