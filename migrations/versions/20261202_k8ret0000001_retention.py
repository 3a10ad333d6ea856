"""retention: legal holds, organisations' own periods, the counts kept after a disposal

Revision ID: k8ret0000001
Revises: k7bak0000001
Create Date: 2026-12-02

A patient's MDT records are disposed of a number of years after their last case closed
(the organisation's own period, or the installation's). A legal hold keeps them. What the
reports count of a disposed case (its outcomes, its preparation) is kept without the
patient in disposed_outcome and disposed_prep, so the figures do not change.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import mdt.core.db

revision: str = "k8ret0000001"
down_revision: str | None = "k7bak0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OUTCOMES = ("plan_agreed", "refer_on", "no_further_action", "defer", "not_reached")


def _when(name: str, nullable: bool) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, mdt.core.db.UTCDateTime(timezone=True), nullable=nullable)


def _to_user(column: str, table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], ["user_account.id"], name=op.f(f"fk_{table}_{column}_user_account")
    )


def _to_meeting(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["meeting_id"],
        ["meeting.id"],
        name=op.f(f"fk_{table}_meeting_id_meeting"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.add_column("organisation", sa.Column("retention_years", sa.Integer(), nullable=True))
    op.create_table(
        "legal_hold",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("patient_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("placed_by_id", sa.Integer(), nullable=True),
        _when("placed_at", False),
        sa.Column("lift_reason", sa.String(length=500), nullable=True),
        sa.Column("lifted_by_id", sa.Integer(), nullable=True),
        _when("lifted_at", True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patient.id"], name=op.f("fk_legal_hold_patient_id_patient")
        ),
        _to_user("placed_by_id", "legal_hold"),
        _to_user("lifted_by_id", "legal_hold"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_hold")),
    )
    op.create_index(op.f("ix_legal_hold_patient_id"), "legal_hold", ["patient_id"])
    op.create_table(
        "disposed_outcome",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(*OUTCOMES, name="outcome", native_enum=False, length=20),
            nullable=False,
        ),
        _to_meeting("disposed_outcome"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposed_outcome")),
    )
    op.create_index(op.f("ix_disposed_outcome_meeting_id"), "disposed_outcome", ["meeting_id"])
    op.create_table(
        "disposed_prep",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("discipline", sa.String(length=60), nullable=False),
        _when("due_at", False),
        _when("completed_at", True),
        _to_meeting("disposed_prep"),
        _to_user("user_id", "disposed_prep"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_disposed_prep")),
    )
    op.create_index(op.f("ix_disposed_prep_meeting_id"), "disposed_prep", ["meeting_id"])
    op.create_index(op.f("ix_disposed_prep_user_id"), "disposed_prep", ["user_id"])
    op.create_index(op.f("ix_disposed_prep_due_at"), "disposed_prep", ["due_at"])


def downgrade() -> None:
    op.drop_table("disposed_prep")
    op.drop_table("disposed_outcome")
    op.drop_table("legal_hold")
    with op.batch_alter_table("organisation") as batch:
        batch.drop_column("retention_years")
