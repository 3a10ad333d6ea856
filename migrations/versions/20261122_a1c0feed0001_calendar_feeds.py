"""calendar feed tokens

Revision ID: a1c0feed0001
Revises: 17b75b3a1a16
Create Date: 2026-11-22

Placeholder in the chain (filled in by the feature that owns it), so features developed at
the same time keep one head.
"""

from collections.abc import Sequence

revision: str = "a1c0feed0001"
down_revision: str | None = "17b75b3a1a16"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
