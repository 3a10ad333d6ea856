"""A page that records audit rows commits them itself (render_audited records, the view
commits): one that forgets is caught on the way out, loudly in tests and development."""

from __future__ import annotations

import logging

import pytest

from mdt.audit.operations import render_audited
from mdt.extensions import db


def _add_pages(app, patient_id):  # type: ignore[no-untyped-def]
    def forgets_to_commit() -> str:
        return render_audited("base.html", patient_ids=[patient_id], what="a page")

    def commits() -> str:
        page = render_audited("base.html", patient_ids=[patient_id], what="a page")
        db.session.commit()
        return page

    app.add_url_rule("/test/forgets-to-commit", view_func=forgets_to_commit)
    app.add_url_rule("/test/commits", view_func=commits)


def test_a_view_that_forgets_to_commit_its_audit_rows_is_caught(app, make):
    _add_pages(app, make.patient().id)
    client = app.test_client()

    with pytest.raises(AssertionError, match="did not commit"):
        client.get("/test/forgets-to-commit")
    assert client.get("/test/commits").status_code == 200


def test_in_production_the_forgotten_commit_is_logged(app, make, caplog):
    _add_pages(app, make.patient().id)
    app.testing = False

    with caplog.at_level(logging.ERROR, logger="mdt.audit.views"):
        response = app.test_client().get("/test/forgets-to-commit")

    assert response.status_code == 200
    assert "GET /test/forgets-to-commit recorded an audit row but did not commit it" in caplog.text
