"""outbox: plain-text messages queued in bulk, composed when sent

Revision ID: f4outbox00001
Revises: f3prep000001
Create Date: 2026-11-30
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f4outbox00001"
down_revision: str | None = "f3prep000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("body", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("message_id", sa.String(length=250), nullable=True))
        batch_op.alter_column("mime", existing_type=sa.Text(), nullable=True)
        batch_op.create_check_constraint("mime_or_body", "mime IS NOT NULL OR body IS NOT NULL")


def downgrade() -> None:
    # A message gets its MIME when it is sent; the older code cannot send those still
    # waiting: refuse rather than drop mail.
    waiting = op.get_bind().scalar(
        sa.text("SELECT count(*) FROM outbox_message WHERE mime IS NULL AND status = 'queued'")
    )
    if waiting:
        raise RuntimeError(
            f"{waiting} outbox message(s) are waiting to be composed: send them "
            "(mdt outbox send) before downgrading"
        )
    # None should be left: a message is given its MIME as it is sent (or refused).
    op.execute("UPDATE outbox_message SET mime = '' WHERE mime IS NULL")
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_outbox_message_mime_or_body"), type_="check")
        batch_op.alter_column("mime", existing_type=sa.Text(), nullable=False)
        batch_op.drop_column("message_id")
        batch_op.drop_column("body")
