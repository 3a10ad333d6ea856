"""calendar UIDs name the installation; an upgraded one keeps "mdt-coordinator"

Revision ID: k6cal0000001
Revises: h2act0000001
Create Date: 2026-12-02

Every installation wrote meeting-7@mdt-coordinator, so two installations inviting one person
could overwrite each other's meetings in their calendar. UIDs now end in the installation's
own name (the host of BASE_URL, or the setting CALENDAR_UID_DOMAIN). An installation that
already has people may already have put events into their calendars under the old name: it
keeps that name, stored here, so none of them is shown twice.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "k6cal0000001"
down_revision: str | None = "h2act0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "calendar_identity",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("uid_domain", sa.String(length=253), nullable=False),
        sa.CheckConstraint("id = 1", name=op.f("ck_calendar_identity_one_row")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_identity")),
    )
    op.execute(
        "INSERT INTO calendar_identity (id, uid_domain) "
        "SELECT 1, 'mdt-coordinator' WHERE EXISTS (SELECT 1 FROM user_account)"
    )


def downgrade() -> None:
    op.drop_table("calendar_identity")
