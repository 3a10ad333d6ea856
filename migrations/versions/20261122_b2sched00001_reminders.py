"""reminders and scheduler heartbeat

Revision ID: b2sched00001
Revises: a1c0feed0001
Create Date: 2026-11-22

Placeholder in the chain (filled in by the feature that owns it), so features developed at
the same time keep one head.
"""

from collections.abc import Sequence

revision: str = "b2sched00001"
down_revision: str | None = "a1c0feed0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
