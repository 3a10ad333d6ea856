"""the FHIR API: registered clients, hashed tokens, used assertion ids, referrals; audit
rows name the client that acted

Revision ID: k9fhr0000001
Revises: k4aut0000001
Create Date: 2026-12-02
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from mdt.core.db import UTCDateTime

revision: str = "k9fhr0000001"
down_revision: str | None = "k4aut0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "fhir_client",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(64), nullable=False),
        sa.Column("name", sa.String(120), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("jwks", sa.Text(), nullable=False),
        sa.Column("scopes", sa.String(1000), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_fhir_client_organisation_id_organisation"),
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_fhir_client_created_by_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_client")),
        sa.UniqueConstraint("client_id", name=op.f("uq_fhir_client_client_id")),
    )
    op.create_index(op.f("ix_fhir_client_organisation_id"), "fhir_client", ["organisation_id"])
    op.create_table(
        "fhir_access_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("scope", sa.String(1000), nullable=False),
        sa.Column("issued_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["fhir_client.id"],
            name=op.f("fk_fhir_access_token_client_pk_fhir_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_access_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_fhir_access_token_token_hash")),
    )
    op.create_index(op.f("ix_fhir_access_token_client_pk"), "fhir_access_token", ["client_pk"])
    op.create_table(
        "fhir_used_assertion",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("jti", sa.String(255), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["fhir_client.id"],
            name=op.f("fk_fhir_used_assertion_client_pk_fhir_client"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_used_assertion")),
        sa.UniqueConstraint("client_pk", "jti", name=op.f("uq_fhir_used_assertion_client_pk_jti")),
    )
    op.create_index(
        op.f("ix_fhir_used_assertion_expires_at"), "fhir_used_assertion", ["expires_at"]
    )
    op.create_table(
        "fhir_referral",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("client_pk", sa.Integer(), nullable=False),
        sa.Column("system", sa.String(255), nullable=False),
        sa.Column("value", sa.String(255), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["client_pk"],
            ["fhir_client.id"],
            name=op.f("fk_fhir_referral_client_pk_fhir_client"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["agenda_case.id"],
            name=op.f("fk_fhir_referral_case_id_agenda_case"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fhir_referral")),
        sa.UniqueConstraint(
            "client_pk", "system", "value", name=op.f("uq_fhir_referral_client_pk_system_value")
        ),
    )
    op.create_index(op.f("ix_fhir_referral_case_id"), "fhir_referral", ["case_id"])
    # A plain ADD COLUMN: batch mode would copy the table on SQLite and drop the audit chain's
    # trigger (migration k7bak0000001).
    op.add_column("audit_event", sa.Column("client_id", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_column("client_id")
    if op.get_context().dialect.name == "sqlite":  # the copy dropped the chain's trigger
        op.execute(
            "CREATE TRIGGER audit_event_chain_head AFTER INSERT ON audit_event BEGIN "
            "UPDATE audit_chain_head SET last_hash = NEW.hash, last_event_id = NEW.id "
            "WHERE id = 1; END"
        )
    op.drop_index(op.f("ix_fhir_referral_case_id"), table_name="fhir_referral")
    op.drop_table("fhir_referral")
    op.drop_index(op.f("ix_fhir_used_assertion_expires_at"), table_name="fhir_used_assertion")
    op.drop_table("fhir_used_assertion")
    op.drop_index(op.f("ix_fhir_access_token_client_pk"), table_name="fhir_access_token")
    op.drop_table("fhir_access_token")
    op.drop_index(op.f("ix_fhir_client_organisation_id"), table_name="fhir_client")
    op.drop_table("fhir_client")
