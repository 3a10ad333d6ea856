"""A message the mail server accepted is recorded sent, or kept by the process until it can
be: it is never handed to the server twice because the database was away."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import event

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mail import outbox, outcomes
from mdt.mail.models import OutboxStatus
from tests.mail.support import deliver, queue, rows


@pytest.fixture
def database_refusing_outcomes(app, monkeypatch) -> Iterator[list[bool]]:  # type: ignore[no-untyped-def]
    """While the list holds True, every write of an outcome fails as a lost database would."""
    monkeypatch.setattr(outcomes, "RETRY_PAUSES", (0.01, 0.01))
    engine = db.state(app).engine
    refusing = [True]
    refused = engine.dialect.loaded_dbapi.OperationalError

    def fail_outcomes(_conn, _cursor, statement, _params, _context, _many) -> None:  # type: ignore[no-untyped-def]
        # Every UPDATE of a message but a claim (which counts the attempt) writes an outcome.
        outcome = statement.startswith("UPDATE outbox_message SET") and "attempts" not in statement
        if refusing[0] and outcome:
            raise refused("the database is away (the test's)")

    event.listen(engine, "before_cursor_execute", fail_outcomes)
    yield refusing
    event.remove(engine, "before_cursor_execute", fail_outcomes)
    outcomes._UNRECORDED.clear()


def test_an_outcome_the_database_will_not_take_is_kept_and_the_message_not_sent_again(
    app, session, smtp, database_refusing_outcomes
):
    first = queue(app, ["first@example.org"])
    queue(app, ["second@example.org"])

    assert deliver(app) == (1, 1), "the server took the first; the run stopped there"
    assert outcomes.unrecorded() == 1
    # Past the claim's lease, with the database still refusing: nothing is sent at all.
    later = now_utc() + outbox.CLAIM_LEASE + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert deliver(app) == (0, 0)
        [row, _] = rows(session)
        assert row.id == first and row.status is OutboxStatus.QUEUED

        database_refusing_outcomes[0] = False
        assert deliver(app) == (1, 0), "the earlier outcome written first, then the second"

    assert [r.rcpt_tos for r in smtp.received] == [["first@example.org"], ["second@example.org"]]
    assert {(r.status, r.attempts) for r in rows(session)} == {(OutboxStatus.SENT, 1)}
    assert outcomes.unrecorded() == 0
