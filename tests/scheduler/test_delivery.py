"""Reminders reach people through the outbox: retried while the mail server is away, and a
permanent refusal kept and shown to administrators. Nothing is dropped."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta
from itertools import pairwise

import pytest
import time_machine

from mdt.core.time import now_utc
from mdt.mail.models import OutboxStatus
from scheduler import jobs
from tests.conftest import login
from tests.mail.support import queue
from tests.reminders.support import london, meeting_on, reminder_mail, run_scheduler

MONDAY_0730 = london(2027, 1, 11, 7, 30)


@pytest.fixture
def team_meeting_tomorrow(make):  # type: ignore[no-untyped-def]
    team = make.team(name="Riverside Neighbourhood MDT")
    make.member(team, make.user(email="priya@example.org"))
    make.member(team, make.user(email="sam@example.org"))
    meeting_on(make, team, london(2027, 1, 12, 12, 30))
    return sorted(m.user.email for m in team.memberships)


def test_with_the_mail_server_down_for_an_hour_every_reminder_arrives_once_after(
    app, session, smtp_server, team_meeting_tomorrow
):
    app.config.update(smtp_server.app_config())  # nothing listens there yet

    minute = MONDAY_0730
    while minute < MONDAY_0730 + timedelta(hours=1):
        run_scheduler(app, minute)
        minute += timedelta(minutes=1)
    mail = reminder_mail(session)
    assert len(mail) == 3 and {m.status for m in mail} == {OutboxStatus.QUEUED}
    assert smtp_server.received == []

    smtp_server.start()
    deadline = minute + timedelta(hours=1)  # the back-off reaches an hourly retry at most
    while len(smtp_server.received) < 3 and minute < deadline:
        run_scheduler(app, minute)
        minute += timedelta(minutes=1)
    for extra in range(5):  # and nothing goes twice afterwards
        run_scheduler(app, minute + timedelta(minutes=extra))

    received = Counter(r.rcpt_tos[0] for r in smtp_server.received)
    assert received == Counter(team_meeting_tomorrow), "each person's reminder, once"
    assert {m.status for m in reminder_mail(session)} == {OutboxStatus.SENT}
    assert minute - (MONDAY_0730 + timedelta(hours=1)) <= timedelta(minutes=35)


def test_a_permanent_refusal_is_shown_to_administrators_with_the_error(
    app, session, make, client, smtp_server, team_meeting_tomorrow
):
    smtp_server.handler.rcpt_replies["sam@example.org"] = "550 5.1.1 sam: no such mailbox"
    smtp_server.start()
    app.config.update(smtp_server.app_config())

    run_scheduler(app, MONDAY_0730)
    run_scheduler(app, MONDAY_0730 + timedelta(days=1))

    assert sorted(r.rcpt_tos[0] for r in smtp_server.received) == [
        e for e in team_meeting_tomorrow if e != "sam@example.org"
    ]
    refused = [m for m in reminder_mail(session) if m.status is OutboxStatus.FAILED]
    assert [m.to for m in refused] == ["sam@example.org"], "kept, not dropped, not retried"

    login(client, make.admin().email)
    page = client.get("/mail/refused").text
    assert "sam@example.org" in page
    assert "SMTP 550: sam@example.org: 5.1.1 sam: no such mailbox" in page
    assert "Your MDT reminders: Riverside Neighbourhood MDT, Mon 11 Jan 2027" in page
    assert "after 1 attempt" in page


def test_the_refused_mail_page_says_when_there_is_none(client, make):
    login(client, make.admin().email)

    page = client.get("/mail/refused").text

    assert "No message has been refused." in page


def test_a_message_the_server_puts_off_is_tried_again_2_4_and_8_minutes_later(
    app, session, smtp_server
):
    tries = []

    def put_off_three_times(_envelope) -> None:  # type: ignore[no-untyped-def]
        tries.append(now_utc())
        smtp_server.handler.data_reply = "451 4.3.0 Try again later" if len(tries) <= 3 else None

    smtp_server.handler.on_data = put_off_three_times
    smtp_server.start()
    app.config.update(smtp_server.app_config())
    with time_machine.travel(MONDAY_0730 - timedelta(minutes=1), tick=False):
        queue(app, ["priya@example.org"], subject="Meeting moved")

    for minute in range(20):
        # As APScheduler runs it: a few milliseconds after the minute, the clock running on.
        moment = MONDAY_0730 + timedelta(minutes=minute, milliseconds=5)
        with time_machine.travel(moment, tick=True):
            jobs.tick(app, MONDAY_0730)

    assert len(tries) == 4 and len(smtp_server.received) == 1
    gaps = [later - earlier for earlier, later in pairwise(tries)]
    for gap, minutes in zip(gaps, (2, 4, 8), strict=True):
        assert abs(gap - timedelta(minutes=minutes)) < timedelta(seconds=2), gaps
