"""directory of services and people; reminders that belong to no team

Revision ID: d9dir0000001
Revises: d30e62f99a91
Create Date: 2026-11-29
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mdt.core.db

revision: str = "d9dir0000001"
down_revision: str | None = "d30e62f99a91"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "directory_service",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.String(length=2000), nullable=False),
        sa.Column("who_for", sa.String(length=1000), nullable=False),
        sa.Column("how_to_refer", sa.String(length=1000), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("opening_hours", sa.String(length=300), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_directory_service_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_directory_service_owner_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["user_account.id"],
            name=op.f("fk_directory_service_verified_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_service")),
    )
    with op.batch_alter_table("directory_service", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_directory_service_organisation_id"), ["organisation_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_directory_service_owner_id"), ["owner_id"], unique=False
        )

    op.create_table(
        "directory_person_check",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("verified_at", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("verified_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_directory_person_check_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["verified_by_id"],
            ["user_account.id"],
            name=op.f("fk_directory_person_check_verified_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_directory_person_check")),
        sa.UniqueConstraint("user_id", name=op.f("uq_directory_person_check_user_id")),
    )

    # Reminders about what belongs to no team (directory entries) have no team.
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column("team_id", existing_type=sa.Integer(), nullable=True)
    with op.batch_alter_table("reminder_digest", schema=None) as batch_op:
        batch_op.alter_column("team_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_index(
            "uq_reminder_digest_user_id_day_no_team",
            ["user_id", "day"],
            unique=True,
            sqlite_where=sa.text("team_id IS NULL"),
            postgresql_where=sa.text("team_id IS NULL"),
        )


def downgrade() -> None:
    op.execute("DELETE FROM reminder_digest WHERE team_id IS NULL")
    op.execute("DELETE FROM reminder WHERE team_id IS NULL")
    with op.batch_alter_table("reminder_digest", schema=None) as batch_op:
        batch_op.drop_index("uq_reminder_digest_user_id_day_no_team")
        batch_op.alter_column("team_id", existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table("reminder", schema=None) as batch_op:
        batch_op.alter_column("team_id", existing_type=sa.Integer(), nullable=False)

    op.drop_table("directory_person_check")
    with op.batch_alter_table("directory_service", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_directory_service_owner_id"))
        batch_op.drop_index(batch_op.f("ix_directory_service_organisation_id"))

    op.drop_table("directory_service")
