"""One scheduler per SQLite database. On PostgreSQL several may run: they share the sweep's
shards (mdt/reminders/shards.py) and the outbox's messages, each claimed with a row lock."""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path

from sqlalchemy.engine import make_url


class InstanceLock:
    """On SQLite, a lock file next to the database (at its real path) held for the process's
    life. The kernel drops it when the process ends, however it ends (SIGKILL included), so it
    never goes stale.
    On PostgreSQL there is none: several schedulers may run, and share the work."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.holder: str | None = None
        self._fd: int | None = None

    @classmethod
    def for_database(cls, url: str) -> InstanceLock:
        parsed = make_url(url)
        if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
            return cls(None)
        # The file's real path: a second scheduler reaching it through a symlink (of the file
        # or of a folder on the way) must find the same lock.
        database = Path(parsed.database).resolve()
        return cls(database.with_name(database.name + ".scheduler-lock"))

    def acquire(self) -> bool:
        if self.path is None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self.holder = os.read(fd, 100).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.close(self._fd)
            self._fd = None
