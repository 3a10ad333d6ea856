"""the outbox vacuumed and analysed after each day's digests (PostgreSQL)

The outbox keeps every message it sent, so it grows by a day's digests (8,616 at region
scale) and then turns them all from queued to sent. PostgreSQL's defaults wait for a fifth
of the table to change before vacuuming it and a tenth before analysing it: once the table
holds a few weeks' mail, a day's burst never reaches either, and "what is due" is planned
from statistics taken while the rows were queued (a sequential scan of the whole table,
3,447 buffers for one day's rows, against 2 once analysed: docs/benchmarks.md). Per-table
thresholds of a fixed number of rows make each day's burst enough.

Revision ID: l1vac0000001
Revises: l1shd0000001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "l1vac0000001"
down_revision: str | None = "l1shd0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SETTINGS = (
    "autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, "
    "autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 1000"
)
NAMES = (
    "autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, "
    "autovacuum_analyze_scale_factor, autovacuum_analyze_threshold"
)


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE outbox_message SET ({SETTINGS})")


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE outbox_message RESET ({NAMES})")
