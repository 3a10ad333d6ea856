"""`make run` (the README's run command) starts the scheduler beside the web server, and
Ctrl-C stops both."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
import urllib.request
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import sqlalchemy as sa

from mdt import ROOT
from mdt.core.days import is_working_day
from mdt.reminders.models import SchedulerHeartbeat
from tests.conftest import BACKEND
from tests.mail.support import free_port
from tests.reminders.support import LONDON, choose_immediate, london, meeting_on


def _next_working_day():  # type: ignore[no-untyped-def]
    day = datetime.now(LONDON).date() + timedelta(days=1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


@pytest.mark.skipif(
    BACKEND != "sqlite", reason="make run is the demo on the embedded default, SQLite"
)
def test_make_run_sends_reminders_beside_the_web_server_and_ctrl_c_stops_both(
    live_app, live_session, live_make, empty_database_url, tmp_path
):
    person = live_make.user(email="kit@example.org")
    team = live_make.team(coordinator=person, name="Test MDT")
    day = _next_working_day()
    meeting_on(live_make, team, london(day.year, day.month, day.day, 12, 0))
    person_id = person.id
    # No transaction left open here: on SQLite it would hold the one write lock.
    live_session.rollback()
    choose_immediate(live_app, person_id)  # reminders as soon as due, on any day
    port, mail = free_port(), tmp_path / "mail"
    env = os.environ | {
        "MDT_DATABASE_URL": empty_database_url,
        "MDT_SECRET_KEY": "run-test-secret",
        "MDT_MAIL_FOLDER": str(mail),
        "MDT_SERVER_PORT": str(port),
        "MDT_SERVER_WORKERS": "1",
        # Due at midnight, so the reminder is due whatever the time the test runs.
        "MDT_REMINDERS_DIGEST_TIME": "00:00",
    }
    env.pop("MDT_MAIL_TRANSPORT", None)
    with open(tmp_path / "run.log", "w") as log:
        make = subprocess.Popen(
            ["make", "--no-print-directory", "run"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, as a terminal gives it
        )
        try:
            _wait_for(lambda: _scheduler_health(port) == "ok", tmp_path)
            reminder = _wait_for(lambda: _mail_to(mail, "kit@example.org"), tmp_path)
            assert reminder["Subject"].startswith("Reminder: Test MDT meeting on ")
        finally:
            os.killpg(make.pid, signal.SIGINT)  # Ctrl-C
            try:
                make.wait(timeout=60)
            finally:
                left = _kill_what_is_left(make.pid)  # so a failure leaves nothing running

    assert left == 0, "the scheduler and the web server stopped with make"
    live_session.rollback()
    [pid] = live_session.scalars(sa.select(SchedulerHeartbeat.pid))
    assert not _alive(pid), "the scheduler stopped with the web server"
    assert _scheduler_health(port) is None, "and so did the web server"


def _kill_what_is_left(group: int) -> int:
    """SIGKILL whatever of make's process group is still running; how many there were."""
    time.sleep(0.5)  # the trap's own `kill` and `wait` may still be finishing
    left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _running_in(p, group)]
    if left:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)
    return len(left)


def _running_in(proc: Path, group: int) -> bool:
    """Whether the process is alive (not a zombie) and in the process group."""
    try:
        state, _parent, pgrp = (proc / "stat").read_text().rsplit(")", 1)[1].split()[:3]
    except (OSError, ValueError):
        return False
    return state != "Z" and int(pgrp) == group


def _scheduler_health(port: int) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return json.load(response)["scheduler"]
    except OSError:
        return None


def _mail_to(folder: Path, address: str):  # type: ignore[no-untyped-def]
    for path in folder.glob("*.eml"):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        if message["To"] == address:
            return message
    return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for(found, tmp_path, seconds: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while not (result := found()):
        log = (tmp_path / "run.log").read_text()
        assert time.monotonic() < deadline, f"timed out; make run said:\n{log[-3000:]}"
        time.sleep(0.2)
    return result
