"""What other pages read of backups: the held-mail page names the restore that held it."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.backup.models import RestoreRecord
from mdt.mail import held


def latest_restore(session: Session) -> RestoreRecord | None:
    return session.scalar(sa.select(RestoreRecord).order_by(RestoreRecord.id.desc()).limit(1))


held.register_held_by(latest_restore)
