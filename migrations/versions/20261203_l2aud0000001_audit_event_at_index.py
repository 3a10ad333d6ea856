"""an index of audit events by time

The audit page opens on the newest rows of the whole log, ordered by time; with no index on
the time alone PostgreSQL read and sorted every row (3 million rows: 476 ms and 85,845
buffers; with the index 0.33 ms and 6: bench/pg_settings.py, docs/benchmarks.md).
Retention's search for the first row to keep uses it too.

Revision ID: l2aud0000001
Revises: l1vac0000001
Create Date: 2026-12-03
"""

from collections.abc import Sequence

from alembic import op

revision: str = "l2aud0000001"
down_revision: str | None = "l1vac0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_audit_event_at", "audit_event", ["at"])


def downgrade() -> None:
    op.drop_index("ix_audit_event_at", table_name="audit_event")
