"""Every view of patient data leaves one audit row per patient, whoever looks (or nobody
signed in), on PostgreSQL (one INSERT ... SELECT of an array) as on SQLite."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_login import login_user

from mdt.audit.models import AuditEvent
from mdt.audit.operations import record
from mdt.core.time import now_utc
from mdt.extensions import db
from tests.conftest import BACKEND


def _rows(session):  # type: ignore[no-untyped-def]
    query = sa.select(AuditEvent).order_by(AuditEvent.patient_id)
    return [(e.user_id, e.patient_id, e.action, e.what) for e in session.scalars(query)]


def test_a_list_of_people_leaves_one_row_for_each_once(app, make, session):
    priya = make.user(name="Dr Priya Shah")
    people = [make.patient() for _ in range(17)]
    ids = [p.id for p in people]
    before = now_utc()
    with app.test_request_context("/prep"):
        login_user(priya)
        record("view", ids + ids[:3], "my preparation list " + "x" * 300)
        db.session.commit()
    what = ("my preparation list " + "x" * 300)[:200]
    assert _rows(session) == [(priya.id, i, "view", what) for i in sorted(ids)]
    stamps = session.scalars(sa.select(AuditEvent.at)).all()
    assert len(set(stamps)) == 1 and before <= stamps[0] <= now_utc()


def test_a_view_by_nobody_signed_in_is_recorded_without_a_person(app, make, session):
    edith = make.patient(name="Edith Example")
    with app.test_request_context("/calendar/feed.ics"):
        record("view", [edith.id], "calendar feed")
        db.session.commit()
    assert _rows(session) == [(None, edith.id, "view", "calendar feed")]


def test_nothing_to_record_writes_nothing(app, session):
    with app.test_request_context("/prep"):
        record("view", [], "an empty list")
        db.session.commit()
    assert _rows(session) == []


@pytest.mark.skipif(BACKEND != "postgresql", reason="row locks: SQLite locks the whole file")
def test_recording_a_view_does_not_lock_the_people_seen(app, make, session):
    """A foreign key from the audit row would lock each patient until the page's commit (a
    view of a list of 17 locked 17 rows, writing each lock into the patient's row); a
    colleague saving that patient would wait. A locked row names its locker in xmax."""
    edith = make.patient(name="Edith Example")
    xmax = sa.text("SELECT xmax::text FROM patient WHERE id = :id")
    with app.test_request_context("/prep"):
        record("view", [edith.id], "my preparation list")
        db.session.flush()
        assert db.session.execute(xmax, {"id": edith.id}).scalar_one() == "0"
        db.session.commit()
