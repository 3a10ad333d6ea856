"""A message leaves only if the transaction that queued it commits."""

from __future__ import annotations

import pytest

from mdt.extensions import db
from mdt.mail import outbox
from tests.mail.support import deliver, rows


def test_a_message_queued_in_a_rolled_back_transaction_is_never_sent(app, session, smtp):
    with app.app_context():
        outbox.enqueue(outbox.compose(["ghost@example.org"], "Not to be sent", "Nothing\n"))
        db.session.rollback()
        assert outbox.deliver() == (0, 0)
    assert smtp.received == []
    assert rows(session) == []


def test_only_the_committed_message_of_two_is_sent(app, session, smtp):
    with app.app_context():
        outbox.enqueue(outbox.compose(["kept@example.org"], "Kept", "Kept\n"))
        db.session.commit()
        outbox.enqueue(outbox.compose(["dropped@example.org"], "Rolled back", "Gone\n"))
        db.session.rollback()
    deliver(app)  # whatever the context's own after-commit delivery did not send
    assert [r.rcpt_tos for r in smtp.received] == [["kept@example.org"]]
    assert [r.recipients for r in rows(session)] == ["kept@example.org"]


@pytest.mark.parametrize("ending", ["returns without committing", "fails with an error"])
def test_a_request_that_does_not_commit_sends_nothing(app, client, session, smtp, ending):
    app.config["PROPAGATE_EXCEPTIONS"] = False  # an error becomes a 500, as in production

    @app.post("/test-only/queue-then-stop")
    def queue_then_stop() -> str:
        outbox.enqueue(outbox.compose(["ghost@example.org"], "Never", "Never\n"))
        if ending == "fails with an error":
            raise RuntimeError("the view failed after queueing")
        return "queued, not committed"

    response = client.post("/test-only/queue-then-stop")

    assert response.status_code == (500 if ending == "fails with an error" else 200)
    assert smtp.received == []
    assert rows(session) == []
    assert deliver(app) == (0, 0)
    assert smtp.received == []
