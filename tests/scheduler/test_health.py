"""/healthz tells monitoring whether a scheduler is sweeping; the web app stays healthy (200)
without one, since only reminders and mail retries wait for it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import time_machine

from mdt.reminders import kinds
from tests.mail.support import queue
from tests.reminders.support import london, run_scheduler

NOON = london(2027, 1, 11, 12, 0)
DIGEST = london(2027, 1, 11, 7, 30)


def _health(client, moment):  # type: ignore[no-untyped-def]
    with time_machine.travel(moment, tick=False):
        response = client.get("/healthz")
    return response.status_code, response.json


def test_healthz_says_never_then_ok_then_stale_and_stays_200(app, client):
    assert _health(client, NOON) == (200, {"status": "ok", "database": "ok", "scheduler": "never"})

    run_scheduler(app, NOON)

    assert _health(client, NOON + timedelta(minutes=3))[1]["scheduler"] == "ok"
    status, body = _health(client, NOON + timedelta(minutes=3, seconds=1))
    assert (status, body["scheduler"], body["status"]) == (200, "stale", "ok")
    run_scheduler(app, NOON + timedelta(minutes=4))
    assert _health(client, NOON + timedelta(minutes=5))[1]["scheduler"] == "ok"


def test_a_scheduler_that_cannot_sweep_still_sends_mail_and_shows_as_stale(
    app, client, monkeypatch, caplog
):
    def broken(_session, _window):  # type: ignore[no-untyped-def]
        raise RuntimeError("a reminder kind with a bug")

    # Kinds are asked only about windows holding the reminder time (07:30 here).
    run_scheduler(app, DIGEST - timedelta(minutes=1))
    monkeypatch.setitem(kinds.KINDS, "broken", kinds.ReminderKind("broken", broken, str))
    queue(app, ["someone@example.org"], subject="Meeting moved")

    results = [run_scheduler(app, DIGEST + timedelta(minutes=m)) for m in range(5)]

    assert [r.swept for r in results] == [None] * 5
    assert "a reminder kind with a bug" in caplog.text
    assert results[0].sent == 1, "the outbox is delivered all the same"
    assert len(list(Path(app.config["MAIL_FOLDER"]).glob("*.eml"))) == 1
    assert _health(client, DIGEST + timedelta(minutes=4))[1]["scheduler"] == "stale"
