"""audit rows name patients and users by id, without foreign keys

Revision ID: h1aud0000001
Revises: g1rem0000001
Create Date: 2026-11-30

A foreign key made every audited page view lock each patient it showed (PostgreSQL checks
it with SELECT ... FOR KEY SHARE, which writes the lock into the patient's row) and made the
log depend on the rows it records facts about.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "h1aud0000001"
down_revision: str | None = "g1rem0000001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.drop_constraint("fk_audit_event_patient_id_patient", type_="foreignkey")
        batch.drop_constraint("fk_audit_event_user_id_user_account", type_="foreignkey")


def downgrade() -> None:
    with op.batch_alter_table("audit_event") as batch:
        batch.create_foreign_key(
            "fk_audit_event_patient_id_patient", "patient", ["patient_id"], ["id"]
        )
        batch.create_foreign_key(
            "fk_audit_event_user_id_user_account", "user_account", ["user_id"], ["id"]
        )
