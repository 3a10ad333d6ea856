"""SQLite: the online backup API. A plain copy of the file misses what is still in its
write-ahead log (-wal), which on a live database can be every recent row; the API reads
through SQLite, WAL included, in one consistent snapshot while others go on writing."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from mdt.backup.manifest import BackupError

FILE = "database.sqlite3"


@contextlib.contextmanager
def _connect(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(path, timeout=30)
    try:
        yield connection
    finally:
        connection.close()


def copy(source: Path, target: Path) -> None:
    """Copy a database that may be in use into a new file, in one step (one snapshot)."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    with _connect(source) as live, _connect(target) as copied:
        live.backup(copied)  # pages=-1: the whole database under one read lock
        copied.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file


def tables(path: Path) -> dict[str, int]:
    with _connect(path) as connection:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' "
                "AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {
            name: connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
            for name in names
        }


def revision(path: Path) -> str:
    with _connect(path) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} has no schema revision ({exc})") from None
    if row is None:
        raise BackupError(f"{path} has no schema revision")
    return str(row[0])


def check(path: Path) -> None:
    """PRAGMA integrity_check and foreign_key_check: refuse a copy either finds fault with."""
    with _connect(path) as connection:
        integrity = [row[0] for row in connection.execute("PRAGMA integrity_check")]
        if integrity != ["ok"]:
            raise BackupError(f"integrity_check failed: {'; '.join(integrity[:3])}")
        orphans = connection.execute("PRAGMA foreign_key_check").fetchall()
        if orphans:
            first = orphans[0]
            raise BackupError(
                f"foreign_key_check: {len(orphans)} row(s) name a missing row "
                f"(first: {first[0]} row {first[1]} -> {first[2]})"
            )


def is_empty(path: Path) -> bool:
    if not path.exists():
        return True
    with _connect(path) as connection:
        found = connection.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table'"
        ).fetchone()
    return bool(found[0] == 0)


def put_in_place(restored: Path, target: Path) -> None:
    """Move a checked copy to the target's path. An empty target's journal files go first:
    SQLite would otherwise read them as the new file's."""
    for suffix in ("-wal", "-shm", "-journal"):
        target.with_name(target.name + suffix).unlink(missing_ok=True)
    restored.replace(target)
