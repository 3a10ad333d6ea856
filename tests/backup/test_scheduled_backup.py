"""The scheduler takes a backup each night into [backup] directory, keeps the newest
[backup] keep, and checks the audit chain (the audit log shows the outcome)."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
import time_machine

from mdt.audit.models import AuditVerification
from mdt.backup.manifest import Manifest
from mdt.config import ConfigError
from mdt.extensions import db
from scheduler import jobs, runner
from tests.backup.conftest import Side
from tests.reminders.support import london


def test_each_night_a_backup_is_taken_and_only_the_newest_are_kept(source: Side, tmp_path: Path):
    source.app.config.update(BACKUP_DIRECTORY=str(tmp_path / "backups"), BACKUP_KEEP=2)
    for day in (1, 2, 3):
        with time_machine.travel(london(2027, 1, day, 2, 15), tick=False):
            jobs.nightly(source.app)
    kept = sorted((tmp_path / "backups").iterdir())
    assert [p.name for p in kept] == ["mdt-20270102T021500Z", "mdt-20270103T021500Z"]
    assert Manifest.read(kept[-1]).taken_at == london(2027, 1, 3, 2, 15)
    with source.app.app_context():
        checks = db.session.scalars(sa.select(AuditVerification.ok)).all()
    assert checks == [True, True, True]


def test_without_a_directory_no_backup_is_taken_but_the_audit_is_checked(source: Side):
    source.app.config.update(BACKUP_DIRECTORY="")
    assert jobs.backup(source.app) is None
    jobs.nightly(source.app)
    with source.app.app_context():
        assert db.session.scalar(sa.select(sa.func.count(AuditVerification.id))) == 1


@pytest.mark.parametrize("hour", [24, -1, "two"])
def test_a_backup_hour_that_is_not_one_is_refused_at_start(source: Side, hour: object):
    source.app.config.update(BACKUP_HOUR=hour)
    with pytest.raises(ConfigError, match=r"\[backup\] hour"):
        runner.run(source.app, once=True)


def test_keeping_no_backup_is_refused_at_start(source: Side):
    source.app.config.update(BACKUP_KEEP=0)
    with pytest.raises(ConfigError, match=r"\[backup\] keep"):
        runner.run(source.app, once=True)
