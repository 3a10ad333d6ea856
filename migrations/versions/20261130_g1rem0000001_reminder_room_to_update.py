"""reminders indexed by due time alone, with room on each page to be marked sent in place

The sweep marks thousands of reminders sent at once (a region's first digest after a week:
18,000). With status in an index, each change of status wrote a new entry in every index of
the table; without it, and with half of each page left free (PostgreSQL's fillfactor), the
change is made on the row's own page (a HOT update) and no index is touched. The sweep asks
for a week of reminders by due time, then by status, which the due-time index serves (and
the sweep's read of the reminders already made since a due time had no index before).

Revision ID: g1rem0000001
Revises: f4outbox00001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

from alembic import op

revision: str = "g1rem0000001"
down_revision: str | None = "f4outbox00001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.drop_index("ix_reminder_status_due_at", table_name="reminder")
    op.create_index("ix_reminder_due_at", "reminder", ["due_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE reminder SET (fillfactor = 50)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE reminder RESET (fillfactor)")
    op.drop_index("ix_reminder_due_at", table_name="reminder")
    op.create_index("ix_reminder_status_due_at", "reminder", ["status", "due_at"])
