"""a clock that ticks on every write a calendar feed depends on

Revision ID: f1clk0000001
Revises: e1swp0000001
Create Date: 2026-11-30

Triggers, not application hooks: a bulk UPDATE, a fix made in psql or a write from a
script ticks the clock too. The tables are those the feed validators read
(mdt/calendar/validators.py); tests/calendar/test_feed_clock.py fails if a validator reads a
table without a trigger.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f1clk0000001"
down_revision: str | None = "e1swp0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = (
    "action_point",
    "agenda_case",
    "calendar_feed",
    "calendar_preference",
    "invitation",
    "meeting",
    "membership",
    "prep_request",
    "slot_exception",
    "slot_series",
    "team",
    "user_account",
)
SHARDS = 8


def upgrade() -> None:
    clock = op.create_table(
        "feed_clock",
        sa.Column("shard", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("ticks", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("shard", name=op.f("pk_feed_clock")),
    )
    op.bulk_insert(clock, [{"shard": n, "ticks": 0} for n in range(SHARDS)])
    if op.get_context().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION feed_clock_tick() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN UPDATE feed_clock SET ticks = ticks + 1 "
            f"WHERE shard = pg_backend_pid() % {SHARDS}; RETURN NULL; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER feed_clock_{table} "
                f"AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION feed_clock_tick()"
            )
    else:  # SQLite: row triggers only
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(
                    f"CREATE TRIGGER feed_clock_{table}_{event} AFTER {event.upper()} "
                    f"ON {table} BEGIN UPDATE feed_clock SET ticks = ticks + 1 "
                    "WHERE shard = 0; END"
                )


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER feed_clock_{table} ON {table}")
        op.execute("DROP FUNCTION feed_clock_tick()")
    else:
        for table in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER feed_clock_{table}_{event}")
    op.drop_table("feed_clock")
