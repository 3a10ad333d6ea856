"""`mdt outbox send`: the operator's (and the scheduler's) way to send what is due."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from click.testing import CliRunner
from flask.cli import ScriptInfo

from mdt.cli import main_group
from mdt.core.time import now_utc
from mdt.mail.models import OutboxStatus
from tests.mail.support import queue, rows


def _send(app) -> str:  # type: ignore[no-untyped-def]
    result = CliRunner().invoke(
        main_group, ["outbox", "send"], obj=ScriptInfo(create_app=lambda: app)
    )
    assert result.exit_code == 0, result.output
    return result.output.strip()


def test_outbox_send_prints_what_it_sent_and_what_is_still_waiting(app, session, smtp_down):
    queue(app, ["first@example.org"])
    queue(app, ["second@example.org"])

    assert _send(app) == "0 sent, 2 not sent (still queued or refused)"
    assert {r.status for r in rows(session)} == {OutboxStatus.QUEUED}

    smtp_down.start()
    with time_machine.travel(now_utc() + timedelta(minutes=3), tick=False):
        assert _send(app) == "2 sent, 0 not sent (still queued or refused)"
        assert _send(app) == "0 sent, 0 not sent (still queued or refused)"
    assert sorted(r.rcpt_tos[0] for r in smtp_down.received) == [
        "first@example.org",
        "second@example.org",
    ]
