"""A real scheduler process (`python -m scheduler --once`) against a restored database, with
a real SMTP server: it sends nothing the original had sent or was sending, until an
administrator releases a held message; then exactly that one."""

from __future__ import annotations

from pathlib import Path

import time_machine

from mdt.backup.operations import restore_backup, take_backup
from mdt.extensions import db
from mdt.mail import held
from mdt.mail.models import OutboxStatus
from tests.backup.conftest import Side
from tests.backup.test_backup_restore import NO_GRACE
from tests.reminders.support import london
from tests.scheduler.conftest import finish, start_scheduler


def test_a_scheduler_process_on_a_restored_database_sends_only_what_is_released(
    source: Side, target: Side, tmp_path: Path, smtp_server
):
    make = source.factory()
    make.outbox_message(subject="Sent before", status=OutboxStatus.SENT)
    waiting = make.outbox_message(subject="Waiting")
    make.outbox_message(subject="Claimed", attempts=1, next_attempt_at=london(2027, 1, 11, 7, 45))
    with time_machine.travel(london(2027, 1, 11, 7, 30), tick=False):
        take_backup(source.url, tmp_path / "backup")
    restore_backup(target.url, tmp_path / "backup", NO_GRACE)
    smtp_server.start()

    code, out, err = finish(
        start_scheduler(target.url, smtp_server, london(2027, 1, 11, 8, 0), "--once")
    )
    assert code == 0, err[-2000:]
    assert "outbox: 0 sent, 0 not sent" in out
    assert smtp_server.received == []

    with target.app.app_context():
        assert held.release(db.session, waiting.id)
        db.session.commit()
    code, out, err = finish(
        start_scheduler(target.url, smtp_server, london(2027, 1, 11, 8, 1), "--once")
    )
    assert code == 0, err[-2000:]
    assert "outbox: 1 sent, 0 not sent" in out
    assert [r.message["Subject"] for r in smtp_server.received] == ["Waiting"]
