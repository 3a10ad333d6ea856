"""teams and organisations keep the key their names are compared by, unique

Revision ID: k3esc0000001
Revises: k8ret0000001
Create Date: 2026-12-02

Names were compared with lower(), which SQLite applies to ASCII letters only (and
PostgreSQL by locale), while Python lowers every letter: "ÉCOLE MDT" was not found as taken,
and saving it failed on the unique name (a 500). The key (mdt.core.names.name_key) is
worked out in Python and kept under a unique index, so both databases compare the same.

Names already stored that share a key (possible before, on SQLite) keep the first as it is
and get " (2)", " (3)"... after the others, rather than stopping the upgrade.
"""

import unicodedata
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "k3esc0000001"
down_revision: str | None = "k8ret0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: Table, the length of its key (a case-folded name can be longer than the name).
TABLES = (("team", 480), ("organisation", 800))


def upgrade() -> None:
    for table, length in TABLES:
        # Added with a default (a NOT NULL column needs one on SQLite), filled, the default
        # dropped so that a row written without its key is refused, then indexed.
        op.add_column(
            table,
            sa.Column("name_key", sa.String(length), nullable=False, server_default=""),
        )
        _fill(table)
        with op.batch_alter_table(table) as batch:
            batch.alter_column("name_key", existing_type=sa.String(length), server_default=None)
        op.create_index(f"ix_{table}_name_key", table, ["name_key"], unique=True)
    _feed_clock_triggers_again()


def downgrade() -> None:
    for table, _length in TABLES:
        op.drop_index(f"ix_{table}_name_key", table_name=table)
        with op.batch_alter_table(table) as batch:
            batch.drop_column("name_key")
    _feed_clock_triggers_again()


def name_key(name: str) -> str:
    """mdt.core.names.name_key as it was when this migration was written."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def _fill(table: str) -> None:
    connection = op.get_bind()
    rows = sa.table(table, sa.column("id"), sa.column("name"), sa.column("name_key"))
    named = connection.execute(sa.select(rows.c.id, rows.c.name).order_by(rows.c.id)).all()
    stored = {name_key(name) for _id, name in named}
    kept: set[str] = set()
    for row_id, name in named:
        key, unique_name, n = name_key(name), name, 1
        while key in kept or (unique_name != name and key in stored):
            n += 1
            unique_name = f"{name} ({n})"
            key = name_key(unique_name)
        kept.add(key)
        connection.execute(
            rows.update().where(rows.c.id == row_id).values(name=unique_name, name_key=key)
        )


def _feed_clock_triggers_again() -> None:
    """Changing or dropping a column copies the table on SQLite, which leaves the team
    table's feed clock triggers behind: they are made again, as f1clk0000001 made them."""
    if op.get_context().dialect.name != "sqlite":
        return
    for event in ("insert", "update", "delete"):
        op.execute(
            f"CREATE TRIGGER IF NOT EXISTS feed_clock_team_{event} AFTER {event.upper()} "
            "ON team BEGIN UPDATE feed_clock SET ticks = ticks + 1 WHERE shard = 0; END"
        )
