"""a person's actions are indexed by owner and closing time; open means not closed

Revision ID: h2act0000001
Revises: h1aud0000001
Create Date: 2026-11-30

My actions lists a person's open actions and those closed in the last fortnight. Read by
owner alone, PostgreSQL fetched every action the person ever owned (159 after three years
at region scale) to keep six. With the check, "open" is "closed_at IS NULL", and both halves
of the list are ranges of one index.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "h2act0000001"
down_revision: str | None = "h1aud0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # The app has always closed and reopened with both; rows written some other way are
    # brought into line rather than refused.
    op.execute(
        "UPDATE action_point SET closed_at = updated_at "
        "WHERE status <> 'open' AND closed_at IS NULL"
    )
    op.execute("UPDATE action_point SET closed_at = NULL WHERE status = 'open'")
    with op.batch_alter_table("action_point") as batch:
        batch.create_check_constraint(
            "closed_when_not_open", sa.text("(status = 'open') = (closed_at IS NULL)")
        )
        batch.drop_index("ix_action_point_owner_id")
        batch.create_index("ix_action_point_owner_closed", ["owner_id", "closed_at"])
    _feed_clock_triggers_again()


def downgrade() -> None:
    with op.batch_alter_table("action_point") as batch:
        batch.drop_index("ix_action_point_owner_closed")
        batch.create_index("ix_action_point_owner_id", ["owner_id"])
        batch.drop_constraint(op.f("ck_action_point_closed_when_not_open"), type_="check")
    _feed_clock_triggers_again()


def _feed_clock_triggers_again() -> None:
    """SQLite adds a check by copying the table, which leaves its triggers behind: the
    feed clock's (f1clk0000001) are made again, as that migration made them."""
    if op.get_context().dialect.name != "sqlite":
        return
    for event in ("insert", "update", "delete"):
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS feed_clock_action_point_{event} AFTER {event.upper()} "
            "ON action_point BEGIN UPDATE feed_clock SET ticks = ticks + 1 WHERE shard = 0; END"
        )
