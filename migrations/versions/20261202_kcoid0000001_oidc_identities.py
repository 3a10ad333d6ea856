"""sign-in with OpenID Connect: identities, what a session's sign-in asserted, and
organisations that allow or require a provider

Revision ID: kcoid0000001
Revises: k9fhr0000001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mdt.core.db

revision: str = "kcoid0000001"
down_revision: str | None = "k9fhr0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oidc_identity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("provider", sa.String(length=40), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("linked_at", mdt.core.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("linked_email", sa.String(length=254), nullable=False),
        sa.Column("last_sign_in_at", mdt.core.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["user_account.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("issuer", "subject", name="uq_oidc_identity_issuer_subject"),
        sa.UniqueConstraint("user_id", "provider", name="uq_oidc_identity_user_provider"),
    )
    op.create_index("ix_oidc_identity_user_id", "oidc_identity", ["user_id"])
    with op.batch_alter_table("user_session") as batch:
        batch.add_column(sa.Column("oidc_provider", sa.String(length=40), nullable=True))
        batch.add_column(sa.Column("oidc_acr", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("oidc_sid", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("role_ods_code", sa.String(length=12), nullable=True))
        batch.add_column(sa.Column("role_code", sa.String(length=40), nullable=True))
        batch.add_column(
            sa.Column(
                "provider_asserted_mfa", sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )
    with op.batch_alter_table("organisation") as batch:
        batch.add_column(
            sa.Column("oidc_providers", sa.String(length=200), nullable=False, server_default="")
        )
        batch.add_column(
            sa.Column("require_oidc", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("require_oidc")
        batch.drop_column("oidc_providers")
    with op.batch_alter_table("user_session") as batch:
        for column in (
            "provider_asserted_mfa",
            "role_code",
            "role_ods_code",
            "oidc_subject",
            "oidc_sid",
            "oidc_acr",
            "oidc_provider",
        ):
            batch.drop_column(column)
    op.drop_index("ix_oidc_identity_user_id", table_name="oidc_identity")
    op.drop_table("oidc_identity")
