"""The day's digests reach a real mail server once each: queued with the sweep that marks
their reminders sent, composed as they are sent, kept while the server cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
import time_machine

from mdt.mail.models import OutboxMessage, OutboxStatus
from mdt.reminders.models import Reminder, ReminderStatus
from mdt.teams.models import TeamRole
from scheduler import jobs
from tests.mail.support import SMTPServer, free_port
from tests.reminders.support import london, meeting_on, reminder_mail, run_scheduler


@pytest.fixture
def mail_server(app) -> Iterator[SMTPServer]:  # type: ignore[no-untyped-def]
    """A real SMTP server (aiosmtpd) the app sends to; not started until a test says so."""
    server = SMTPServer(free_port())
    app.config.update(server.app_config())
    yield server
    server.stop()


def test_digests_of_a_sweep_whose_process_stopped_before_sending_go_out_once_later(
    app, session, make, mail_server
):
    alex = make.user(name="Alex Morgan", email="alex@riverside.example.org")
    team = make.team(coordinator=alex, name="Riverside Neighbourhood MDT")
    for name in ("Dr Priya Shah", "Sam Whitfield", "Jo Clarke"):
        person = make.user(name=name, email=f"{name.split()[-2].lower()}@riverside.example.org")
        make.member(team, person, role=TeamRole.CORE_MEMBER)
    meeting_on(make, team, london(2027, 1, 12, 12, 30), location="Riverside Surgery")

    # 07:30: the sweep commits, and the process stops before it delivers anything.
    moment = london(2027, 1, 11, 7, 30)
    with time_machine.travel(moment, tick=False):
        assert jobs.run_sweep(app, moment).emails == 4
    with app.app_context():  # composed from the rows, as the sender will
        queued = reminder_mail(session)
    assert [m.status for m in queued] == [OutboxStatus.QUEUED] * 4
    assert (
        session.scalar(sa.select(sa.func.count()).where(Reminder.status == ReminderStatus.SENT))
        == 4
    ), "marked sent in the transaction that queued them"

    # 07:31: a scheduler again, but the mail server cannot be reached: nothing is lost.
    assert run_scheduler(app, london(2027, 1, 11, 7, 31)).sent == 0
    with app.app_context():
        assert [m.status for m in reminder_mail(session)] == [OutboxStatus.QUEUED] * 4

    mail_server.start()
    assert run_scheduler(app, london(2027, 1, 11, 7, 45)).sent == 4
    assert run_scheduler(app, london(2027, 1, 11, 7, 46)).sent == 0

    received = {r.rcpt_tos[0]: r.message for r in mail_server.received}
    assert sorted(received) == sorted(m.to for m in queued), "each once"
    for mail in queued:
        message = received[mail.to]
        assert message["Subject"] == mail.subject
        assert message.get_content().replace("\r\n", "\n") == mail.body
        assert "Where: Riverside Surgery" in mail.body and mail.body.startswith("Hello ")
    message_ids = session.scalars(sa.select(OutboxMessage.message_id)).all()
    assert sorted(m["Message-ID"] for m in received.values()) == sorted(message_ids)
