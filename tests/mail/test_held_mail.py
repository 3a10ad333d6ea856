"""Mail held after a restore waits for an administrator: released, it goes with the next
delivery; dropped, it is kept and never sent. One at a time, or all at once."""

from __future__ import annotations

import sqlalchemy as sa

from mdt.mail.models import OutboxMessage, OutboxStatus
from mdt.mail.outbox import deliver
from tests.conftest import login, submit


def _statuses(session) -> dict[str, OutboxStatus]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {m.subject: m.status for m in session.scalars(sa.select(OutboxMessage))}


def test_held_mail_is_not_delivered_until_released(app, session, make):
    make.outbox_message(subject="Held", status=OutboxStatus.HELD)
    with app.app_context():
        assert deliver() == (0, 0)
    assert _statuses(session) == {"Held": OutboxStatus.HELD}


def test_an_administrator_releases_or_drops_all_held_mail_at_once(app, client, session, make):
    for n in range(3):
        make.outbox_message(subject=f"Held {n}", status=OutboxStatus.HELD)
    make.outbox_message(subject="Queued")
    login(client, make.admin().email)
    page = client.get("/mail/held").text
    assert "Release all 3" in page and "Drop all 3" in page

    response = submit(client, "/mail/held/release-all", {}, form_url="/mail/held")
    assert response.status_code == 302
    assert set(_statuses(session).values()) == {OutboxStatus.QUEUED}
    assert "3 held message(s) released" in client.get("/mail/held").text

    make.outbox_message(subject="Held again", status=OutboxStatus.HELD)
    submit(client, "/mail/held/drop-all", {}, form_url="/mail/held")
    assert _statuses(session)["Held again"] is OutboxStatus.DROPPED
    assert _statuses(session)["Queued"] is OutboxStatus.QUEUED


def test_a_message_decided_by_another_administrator_is_not_decided_twice(app, client, make):
    message = make.outbox_message(subject="Held", status=OutboxStatus.HELD)
    login(client, make.admin().email)
    submit(client, f"/mail/held/{message.id}/drop", {}, form_url="/mail/held")
    response = submit(client, f"/mail/held/{message.id}/release", {}, form_url="/mail/held")
    assert "no longer held" in client.get(response.headers["Location"]).text
