"""An administrator emails a password-set link: it goes out over SMTP after the request."""

from __future__ import annotations

import re
from datetime import timedelta

import time_machine

from mdt.core.time import now_utc
from mdt.mail.models import OutboxStatus
from tests.conftest import login, submit
from tests.mail.support import deliver, our_logs, rows


def _email_link(client, person):  # type: ignore[no-untyped-def]
    """Post the password-link form with "Also email the link to them" ticked."""
    response = submit(
        client,
        f"/users/{person.id}/password-link",
        {"send_email": "y"},
        form_url=f"/users/{person.id}",
    )
    assert response.status_code == 200, response.get_data(as_text=True)[:2000]
    page = response.get_data(as_text=True)
    assert f"It has also been emailed to {person.email}" in page
    return re.search(r'id="password-link">([^<]+)<', page).group(1)


def test_the_link_reaches_the_smtp_server_after_the_request(client, make, session, smtp, app_logs):
    admin = make.admin()
    person = make.user(name="Siân Llŷr", email="sian.llyr@example.org")
    login(client, admin.email)

    url = _email_link(client, person)

    [received] = smtp.received
    assert received.rcpt_tos == ["sian.llyr@example.org"]
    message = received.message
    assert message["To"] == "sian.llyr@example.org"
    # A fixed subject: nothing about the person (or any patient) in it.
    assert message["Subject"] == "Set your password for MDT Coordinator"
    assert message["Date"] and message["Message-ID"]
    body = message.get_content()
    assert url in body and "Hello Siân Llŷr" in body

    [row] = rows(session)
    assert row.status == OutboxStatus.SENT
    assert row.sent_at is not None and row.sent_at <= now_utc()
    assert row.attempts == 1 and row.last_error is None
    token = url.rsplit("/", 1)[1]
    assert token not in our_logs(app_logs)


def test_an_unreachable_server_delays_the_link_and_it_goes_once_the_server_is_back(
    client, make, session, smtp_down, app, app_logs
):
    admin = make.admin()
    person = make.user(email="kit@example.org")
    login(client, admin.email)

    url = _email_link(client, person)  # the request succeeds with nothing listening

    [row] = rows(session)
    assert row.status == OutboxStatus.QUEUED
    assert row.attempts == 1
    assert "connection refused" in row.last_error.lower()
    assert row.next_attempt_at > now_utc()
    assert row.sent_at is None
    retry_at = row.next_attempt_at

    smtp_down.start()
    assert deliver(app) == (0, 0), "not due yet"
    assert smtp_down.received == []

    with time_machine.travel(retry_at + timedelta(seconds=1), tick=False):
        assert deliver(app) == (1, 0)
        assert deliver(app) == (0, 0)
    [received] = smtp_down.received
    assert received.rcpt_tos == ["kit@example.org"]
    assert url in received.message.get_content()

    [row] = rows(session)
    assert row.status == OutboxStatus.SENT and row.attempts == 2 and row.last_error is None
    assert url.rsplit("/", 1)[1] not in our_logs(app_logs)


def test_a_broken_mail_setting_does_not_fail_the_request_and_the_mail_stays_queued(
    client, make, session, app, app_logs
):
    app.config["MAIL_TRANSPORT"] = "carrier-pigeon"
    admin = make.admin()
    person = make.user()
    login(client, admin.email)

    _email_link(client, person)

    [row] = rows(session)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 0
    assert "carrier-pigeon" in our_logs(app_logs)
