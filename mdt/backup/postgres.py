"""PostgreSQL: pg_dump --format=custom from an exported snapshot, so the manifest's row
counts are of exactly the rows in the dump, whatever is written meanwhile; pg_restore into
an empty database in one transaction."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL

from mdt.backup.manifest import BackupError
from mdt.core.time import now_utc

FILE = "database.dump"


def program(name: str) -> str:
    """pg_dump or pg_restore: on PATH, or the newest of Debian's /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0,
    )
    if not candidates:
        raise BackupError(f"{name} not found: install PostgreSQL's client (postgresql-client)")
    return candidates[-1]


def _libpq(url: URL) -> tuple[list[str], dict[str, str]]:
    """Connection options for pg_dump and pg_restore; the password goes in the environment,
    never on the command line (which any user of the machine can read)."""
    args = ["--dbname", url.database or ""]
    if url.host:
        args += ["--host", url.host]
    if url.port:
        args += ["--port", str(url.port)]
    if url.username:
        args += ["--username", url.username]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = str(url.password)
    return args, env


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = done.stderr.strip().splitlines() or [f"exit status {done.returncode}"]
        raise BackupError(f"{Path(command[0]).name} failed: {lines[-1]}")


def _counts(connection: sa.Connection) -> dict[str, int]:
    names = connection.scalars(
        sa.text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    ).all()
    return {
        name: connection.scalar(sa.text(f'SELECT count(*) FROM "{name}"')) or 0 for name in names
    }


def dump(engine: sa.Engine, target: Path) -> tuple[datetime, dict[str, int], str]:
    """Dump the database to `target`; returns a moment after its snapshot was taken, and
    its row counts and schema revision, read in the snapshot pg_dump dumps."""
    args, env = _libpq(engine.url)
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with connection, connection.begin():
        snapshot = connection.scalar(sa.text("SELECT pg_export_snapshot()"))
        taken_at = now_utc()
        counts = _counts(connection)
        revision = connection.scalar(sa.text("SELECT version_num FROM alembic_version"))
        # The exported snapshot lives while this transaction is open.
        _run(
            [
                program("pg_dump"),
                "--format=custom",
                f"--snapshot={snapshot}",
                "--file",
                str(target),
                *args,
            ],
            env,
        )
    return taken_at, counts, str(revision)


def restore(engine: sa.Engine, source: Path) -> None:
    args, env = _libpq(engine.url)
    _run(
        [
            program("pg_restore"),
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            *args,
            str(source),
        ],
        env,
    )


def tables(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return _counts(connection)


def check(engine: sa.Engine) -> None:
    """pg_restore adds each constraint after the data, which checks every row against it;
    any left unvalidated (NOT VALID) would not have been, and is refused."""
    with engine.connect() as connection:
        unchecked = connection.scalars(
            sa.text(
                "SELECT conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE n.nspname = 'public' AND NOT c.convalidated"
            )
        ).all()
    if unchecked:
        raise BackupError(f"constraints not validated: {', '.join(unchecked)}")


def is_empty(engine: sa.Engine) -> bool:
    return not sa.inspect(engine).get_table_names()
