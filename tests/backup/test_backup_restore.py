"""`mdt backup` takes a consistent copy of a database in use; `mdt restore` brings it back
into an empty database, refuses anything else, and leaves a database that sends nothing
twice: what was sent stays sent, what was waiting is held for an administrator, and no
scheduler is reported until one runs there."""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine
from click.testing import CliRunner
from flask.cli import ScriptInfo

from mdt.audit.chain import verify
from mdt.audit.operations import record
from mdt.backup.manifest import BackupError, Manifest
from mdt.backup.operations import prune, restore_backup, take_backup
from mdt.cli import main_group
from mdt.core.db import create_engine
from mdt.extensions import db
from mdt.mail.models import OutboxMessage, OutboxStatus
from mdt.reminders.models import Reminder
from mdt.teams.models import TeamRole
from tests.backup.conftest import Side
from tests.conftest import login, submit
from tests.reminders.support import london, meeting_on, run_scheduler

NO_GRACE = timedelta(0)


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            names = sa.inspect(conn).get_table_names()
            return {n: conn.scalar(sa.text(f'SELECT count(*) FROM "{n}"')) or 0 for n in names}
    finally:
        engine.dispose()


def _schema(url: str) -> dict[str, list[tuple[str, str]]]:
    engine = create_engine(url)
    try:
        inspector = sa.inspect(engine)
        return {
            table: sorted((c["name"], str(c["type"])) for c in inspector.get_columns(table))
            for table in inspector.get_table_names()
        }
    finally:
        engine.dispose()


def _write_until(side: Side, stop: threading.Event, written: list[int]) -> None:
    """What a busy app does: a page view recorded, a message queued, committed, again."""
    n = 0
    while not stop.is_set():
        n += 1
        with side.app.test_request_context("/prep"):
            record("view", [n], f"page {n}")
            db.session.add(OutboxMessage(recipients="a@example.org", subject="s", body=f"{n}"))
            db.session.commit()
        written.append(n)


def test_a_database_being_written_to_restores_to_the_same_rows_and_schema(
    source: Side, target: Side, tmp_path: Path
):
    stop, written = threading.Event(), []
    writer = threading.Thread(target=_write_until, args=(source, stop, written))
    writer.start()
    try:
        while len(written) < 20:
            stop.wait(0.01)
        manifest = take_backup(source.url, tmp_path / "backup")
        during = len(written)
        while len(written) < during + 20:
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()
    taken = manifest.tables
    assert 20 <= taken["audit_event"] <= during + 1  # a snapshot taken while writing went on
    assert taken["audit_event"] == taken["outbox_message"]  # and no transaction cut in two
    assert _counts(source.url)["audit_event"] == len(written) > taken["audit_event"]

    restored = restore_backup(target.url, tmp_path / "backup", NO_GRACE)
    assert restored.upgraded_from is None
    found = _counts(target.url)
    assert found == taken | {"restore_record": 1, "scheduler_heartbeat": 0}
    assert _schema(target.url) == _schema(source.url)
    with target.app.app_context():
        assert verify(db.session).ok  # the chain's head is the newest row copied
        statuses = db.session.scalars(sa.select(OutboxMessage.status).distinct()).all()
    assert set(statuses) == {OutboxStatus.HELD}


def test_restore_refuses_a_database_that_is_not_empty(source: Side, tmp_path: Path):
    source.factory().outbox_message()
    take_backup(source.url, tmp_path / "backup")
    before = _counts(source.url)
    with pytest.raises(BackupError, match="not empty"):
        restore_backup(source.url, tmp_path / "backup", NO_GRACE)
    assert _counts(source.url) == before


def test_restore_refuses_a_damaged_backup(source: Side, target: Side, tmp_path: Path):
    source.factory().outbox_message()
    manifest = take_backup(source.url, tmp_path / "backup")
    copy = tmp_path / "backup" / manifest.file
    data = bytearray(copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    copy.write_bytes(bytes(data))
    with pytest.raises(BackupError, match="checksum"):
        restore_backup(target.url, tmp_path / "backup", NO_GRACE)
    assert _counts(target.url) == {}


def test_restore_refuses_a_folder_without_a_manifest(target: Side, tmp_path: Path):
    (tmp_path / "half").mkdir()
    with pytest.raises(BackupError, match="not a finished backup"):
        restore_backup(target.url, tmp_path / "half", NO_GRACE)


def test_an_older_backup_is_upgraded_when_restored(source: Side, target: Side, tmp_path: Path):
    from mdt.core import migrate

    migrate.downgrade(source.url, "h2act0000001")
    manifest = take_backup(source.url, tmp_path / "backup")
    assert manifest.schema_revision == "h2act0000001"
    restored = restore_backup(target.url, tmp_path / "backup", NO_GRACE)
    assert restored.upgraded_from == "h2act0000001"
    assert "audit_chain_head" in _counts(target.url)


def _cli(side: Side, *args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main_group, list(args), obj=ScriptInfo(create_app=lambda: side.app))


def test_after_a_restore_nothing_sent_goes_again_and_waiting_mail_is_held(
    source: Side, target: Side, tmp_path: Path
):
    make = source.factory()
    admin = make.admin(email="admin@example.org")
    alex = make.user(name="Alex Morgan")
    team = make.team(coordinator=alex, name="Riverside Neighbourhood MDT")
    for name in ("Dr Priya Shah", "Sam Whitfield"):
        make.member(team, make.user(name=name), role=TeamRole.CORE_MEMBER)
    meeting_on(make, team, london(2027, 1, 12, 12, 30))
    run_scheduler(source.app, london(2027, 1, 11, 7, 30))  # reminds all three, and sends
    reminded = source.sent()
    assert len(reminded) == 3
    waiting = make.outbox_message(subject="Waiting")
    claimed = make.outbox_message(
        subject="Being sent", attempts=1, next_attempt_at=london(2027, 1, 11, 7, 46)
    )

    with time_machine.travel(london(2027, 1, 11, 7, 31), tick=False):
        result = _cli(source, "backup", str(tmp_path / "backup"))
        assert result.exit_code == 0, result.output
    result = _cli(target, "restore", str(tmp_path / "backup"))
    assert result.exit_code == 0, result.output
    assert "2 message(s) waiting at the time of the backup are held" in result.output

    client = target.app.test_client()
    with time_machine.travel(london(2027, 1, 11, 7, 32), tick=False):
        assert client.get("/healthz").json["scheduler"] == "never"
    for minute in (32, 33, 50):  # past the claim's lease too
        run_scheduler(target.app, london(2027, 1, 11, 7, minute))
    assert target.sent() == []  # neither the reminders sent nor the mail waiting
    with target.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(Reminder.id))) == 3
        assert client.get("/healthz").json["scheduler"] == "ok"

    login(client, admin.email)
    page = client.get("/mail/held").text
    assert "Waiting" in page and "Being sent" in page and "1 attempt before the backup" in page
    submit(client, f"/mail/held/{waiting.id}/release", {}, form_url="/mail/held")
    submit(client, f"/mail/held/{claimed.id}/drop", {}, form_url="/mail/held")
    run_scheduler(target.app, london(2027, 1, 11, 7, 51))
    assert len(target.sent()) == 1
    with target.app.app_context():
        rows = {r.subject: r for r in db.session.scalars(sa.select(OutboxMessage))}
    assert rows["Waiting"].status is OutboxStatus.SENT
    assert rows["Being sent"].status is OutboxStatus.DROPPED
    assert "admin@example.org" in (rows["Being sent"].last_error or "")
    assert "No message is held" in client.get("/mail/held").text


def test_mail_queued_shortly_before_the_backup_can_go_without_waiting(
    source: Side, target: Side, tmp_path: Path
):
    """[backup] hold_mail_older_than_minutes: only mail waiting longer than that is held."""
    make = source.factory()
    make.outbox_message(subject="Old", created_at=london(2027, 1, 11, 7, 0))
    make.outbox_message(subject="Fresh", created_at=london(2027, 1, 11, 7, 28))
    with time_machine.travel(london(2027, 1, 11, 7, 30), tick=False):
        take_backup(source.url, tmp_path / "backup")
    restored = restore_backup(target.url, tmp_path / "backup", timedelta(minutes=5))
    assert restored.held_messages == 1
    with target.app.app_context():
        rows = db.session.execute(sa.select(OutboxMessage.subject, OutboxMessage.status)).all()
    assert sorted(rows) == [("Fresh", OutboxStatus.QUEUED), ("Old", OutboxStatus.HELD)]


def test_backups_beyond_the_number_kept_are_removed_oldest_first(source: Side, tmp_path: Path):
    folders = []
    for day in (1, 2, 3):
        with time_machine.travel(london(2027, 1, day, 2, 0), tick=False):
            folders.append(tmp_path / "backups" / f"b{4 - day}")  # names sort the other way
            take_backup(source.url, folders[-1])
    (tmp_path / "backups" / "unfinished").mkdir()
    assert prune(tmp_path / "backups", keep=2) == [folders[0]]
    assert sorted(p.name for p in (tmp_path / "backups").iterdir()) == ["b1", "b2", "unfinished"]
    assert Manifest.read(folders[2]).taken_at == london(2027, 1, 3, 2, 0)
