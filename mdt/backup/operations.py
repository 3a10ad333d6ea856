"""Taking a backup, restoring one, and keeping the newest few.

A backup is a folder: the copy (SQLite's file, or PostgreSQL's custom-format dump) and
manifest.json (mdt.backup.manifest). A restore goes only into an empty database, checks the
copy against the manifest and the database's own checks, upgrades an older schema, and
then makes the restored database safe to run: no scheduler heartbeat (so /healthz says
"never" until a scheduler runs), and the mail that was waiting when the backup was taken
held for an administrator, since the original may have sent it after the backup.
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from mdt.backup import postgres, sqlite
from mdt.backup.manifest import NAME, BackupError, Manifest, sha256_of
from mdt.backup.models import RestoreRecord
from mdt.core.db import create_engine
from mdt.core.migrate import alembic_config, upgrade
from mdt.core.time import now_utc
from mdt.mail.held import hold_waiting
from mdt.reminders.models import SchedulerHeartbeat

log = logging.getLogger(__name__)


def _backend(url: str) -> str:
    return make_url(url).get_backend_name()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up or restored")
    return Path(database)


def take_backup(url: str, folder: Path) -> Manifest:
    """A consistent copy of the live database in `folder` (new, or empty), with its manifest."""
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: a backup goes into a new folder")
    folder.mkdir(parents=True, exist_ok=True)
    # taken_at is a moment after the copy's snapshot: every row in the copy was written
    # before it, so all the mail the copy holds as waiting counts as queued before it.
    if _backend(url) == "sqlite":
        target = folder / sqlite.FILE
        sqlite.copy(_sqlite_path(url), target)
        taken_at = now_utc()
        counts, revision = sqlite.tables(target), sqlite.revision(target)
    else:
        target = folder / postgres.FILE
        engine = create_engine(url)
        try:
            taken_at, counts, revision = postgres.dump(engine, target)
        finally:
            engine.dispose()
    manifest = Manifest(
        backend=_backend(url),
        taken_at=taken_at,
        schema_revision=revision,
        tables=counts,
        file=target.name,
        sha256=sha256_of(target),
        size=target.stat().st_size,
    )
    manifest.write(folder)
    return manifest


@dataclass(frozen=True)
class Restored:
    manifest: Manifest
    upgraded_from: str | None
    held_messages: int


def restore_backup(url: str, folder: Path, hold_older_than: timedelta) -> Restored:
    manifest = Manifest.read(folder)
    copy = manifest.check_file(folder)
    if manifest.backend != _backend(url):
        raise BackupError(f"a {manifest.backend} backup cannot be restored into {_backend(url)}")
    _check_revision_known(manifest.schema_revision)
    if _backend(url) == "sqlite":
        _restore_sqlite(url, copy, manifest)
    else:
        _restore_postgres(url, copy, manifest)
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    upgraded_from = None if manifest.schema_revision == head else manifest.schema_revision
    upgrade(url)
    held = _make_safe_to_run(url, manifest, hold_older_than)
    return Restored(manifest, upgraded_from, held)


def _check_revision_known(revision: str) -> None:
    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    try:
        known = scripts.get_revision(revision) is not None
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        known = False
    if not known:
        raise BackupError(
            f"the backup's schema revision {revision} is unknown here: it was taken by a "
            "newer version of MDT Coordinator; restore it with that version"
        )


def _restore_sqlite(url: str, copy: Path, manifest: Manifest) -> None:
    target = _sqlite_path(url)
    if not sqlite.is_empty(target):
        raise BackupError(f"{target} is not empty: a backup is restored into an empty database")
    target.parent.mkdir(parents=True, exist_ok=True)
    restoring = target.with_name(target.name + ".restoring")
    restoring.unlink(missing_ok=True)
    try:
        sqlite.copy(copy, restoring)
        sqlite.check(restoring)
        _check_counts(manifest, sqlite.tables(restoring))
        sqlite.put_in_place(restoring, target)
    finally:
        restoring.unlink(missing_ok=True)


def _restore_postgres(url: str, copy: Path, manifest: Manifest) -> None:
    engine = create_engine(url)
    try:
        if not postgres.is_empty(engine):
            raise BackupError(
                f"database {engine.url.database} is not empty: a backup is restored into an "
                "empty database (create a new one: createdb NAME)"
            )
        postgres.restore(engine, copy)
        postgres.check(engine)
        _check_counts(manifest, postgres.tables(engine))
    finally:
        engine.dispose()


def _check_counts(manifest: Manifest, found: dict[str, int]) -> None:
    if found != manifest.tables:
        differ = sorted(
            name
            for name in set(found) | set(manifest.tables)
            if found.get(name) != manifest.tables.get(name)
        )
        raise BackupError(f"restored rows differ from the manifest in: {', '.join(differ[:5])}")


def _make_safe_to_run(url: str, manifest: Manifest, hold_older_than: timedelta) -> int:
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            held = after_restore(session, manifest, hold_older_than)
            session.commit()
        return held
    finally:
        engine.dispose()


def after_restore(session: Session, manifest: Manifest, hold_older_than: timedelta) -> int:
    """The original's heartbeat goes (no scheduler has run on this database yet), and the
    mail waiting when the backup was taken is held; returns how many messages were held."""
    session.execute(sa.delete(SchedulerHeartbeat))
    held = hold_waiting(session, manifest.taken_at - hold_older_than)
    session.add(
        RestoreRecord(
            backup_taken_at=manifest.taken_at,
            backup_revision=manifest.schema_revision,
            held_messages=held,
        )
    )
    session.flush()
    return held


def prune(directory: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` finished backups in `directory` (by manifest time);
    returns what was removed. Unfinished ones (no manifest) are left for the operator."""
    finished = []
    for folder in directory.iterdir():
        if folder.is_dir() and (folder / NAME).is_file():
            try:
                finished.append((Manifest.read(folder).taken_at, folder))
            except BackupError:
                continue
    finished.sort()
    removed = [folder for _, folder in finished[: max(len(finished) - keep, 0)]]
    for folder in removed:
        shutil.rmtree(folder)
    return removed
