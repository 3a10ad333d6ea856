"""A committed database of the test's own and real scheduler processes against it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy.orm import Session

from mdt import ROOT, create_app
from mdt.core import migrate
from mdt.extensions import db
from tests.conftest import test_config
from tests.factories import Factory
from tests.mail.support import Recorder, SMTPServer, free_port


@pytest.fixture
def live_app(empty_database_url: str, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    """The app on a migrated database of its own, where commits are real (other processes
    see them)."""
    migrate.upgrade(empty_database_url)
    app = create_app(test_config(empty_database_url, tmp_path))
    yield app
    db.state(app).engine.dispose()


@pytest.fixture
def live_session(live_app: Flask) -> Iterator[Session]:
    session = db.state(live_app).sessionmaker()
    yield session
    session.close()


@pytest.fixture
def live_make(live_session: Session) -> Factory:
    return Factory(live_session)


class SlowOrHoldingRecorder(Recorder):
    """Takes `delay` seconds over each message; with `hold_at`, keeps the QUIT reply of the
    hold_at-th accepted message back until `release` is set (the client waits meanwhile).
    `on_data`, if set, is called with each message's envelope before it is accepted."""

    def __init__(self, delay: float = 0.0, hold_at: int | None = None) -> None:
        super().__init__()
        self.delay, self.hold_at = delay, hold_at
        self.holding, self.release = threading.Event(), threading.Event()
        self.on_data: Callable[[Any], None] | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        if self.on_data is not None:
            self.on_data(envelope)
        return await super().handle_DATA(server, session, envelope)

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold_at is not None and len(self.received) == self.hold_at:
            self.holding.set()
            while not self.release.is_set():
                await asyncio.sleep(0.02)
        return await super().handle_QUIT(server, session, envelope)


@pytest.fixture
def smtp_server() -> Iterator[SMTPServer]:
    """A real SMTP server on loopback (aiosmtpd) that records what it accepts; not started."""
    server = SMTPServer(free_port())
    server.handler = SlowOrHoldingRecorder()
    yield server
    server.handler.release.set()  # type: ignore[attr-defined]
    server.stop()


def scheduler_env(database_url: str, smtp: SMTPServer) -> dict[str, str]:
    return os.environ | {
        "MDT_DATABASE_URL": database_url,
        "MDT_SECRET_KEY": "scheduler-test-secret",
        "MDT_BASE_URL": "http://mdt.test",
        "MDT_MAIL_TRANSPORT": "smtp",
        "MDT_MAIL_SMTP_HOST": "127.0.0.1",
        "MDT_MAIL_SMTP_PORT": str(smtp.port),
        "MDT_MAIL_SMTP_TIMEOUT": "20",
    }


def start_scheduler(
    database_url: str, smtp: SMTPServer, at: datetime, *args: str
) -> subprocess.Popen[str]:
    """A real scheduler process (python -m scheduler), its clock set to `at`."""
    return subprocess.Popen(
        [sys.executable, "-m", "tests.scheduler.clock", at.isoformat(), *args],
        cwd=ROOT,
        env=scheduler_env(database_url, smtp),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def finish(process: subprocess.Popen[str], timeout: float = 30) -> tuple[int, str, str]:
    """Wait for the process to end; one still running after `timeout` is killed (a failing
    test must not leave a scheduler behind) and the test fails."""
    try:
        out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        out, err = process.communicate()
        pytest.fail(f"still running after {timeout} s; it said:\n{err[-3000:]}")
    return process.returncode, out, err
