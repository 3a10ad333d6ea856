"""The audit log is tamper-evident: every row is hash-chained to the one before, and
`mdt audit verify` finds the first row changed, removed or moved outside the app. The
oldest rows may be disposed of (retention): the chain then starts at the first remaining."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo
from flask_login import login_user

from mdt import create_app
from mdt.audit.chain import Outcome, verify
from mdt.audit.models import AuditEvent, AuditVerification
from mdt.audit.operations import record
from mdt.cli import main_group
from mdt.core import migrate
from mdt.core.db import create_engine
from mdt.extensions import db
from tests.conftest import BACKEND, login, test_config


def _log_views(app, make, times: int = 4) -> list[int]:  # type: ignore[no-untyped-def]
    priya = make.user(name="Dr Priya Shah")
    people = [make.patient().id for _ in range(3)]
    for n in range(times):
        with app.test_request_context("/prep"):
            login_user(priya)
            record("view", people, f"my preparation list {n}")
            db.session.commit()
    return _ids(app)


def _ids(app) -> list[int]:  # type: ignore[no-untyped-def]
    with app.app_context():
        return list(db.session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)))


def _sql(session, statement: str, **params: object) -> None:  # type: ignore[no-untyped-def]
    session.execute(sa.text(statement), params)
    session.commit()


def test_an_untouched_log_verifies(app, make, session):
    ids = _log_views(app, make)
    outcome = verify(session)
    assert outcome.ok, outcome.problem
    assert outcome.rows_checked == len(ids) == 12


def test_a_row_edited_in_the_database_is_found(app, make, session):
    ids = _log_views(app, make)
    _sql(session, "UPDATE audit_event SET what = 'nothing to see' WHERE id = :id", id=ids[5])
    outcome = verify(session)
    assert not outcome.ok and outcome.broken_event_id == ids[5]
    assert outcome.rows_checked == 5 and "changed" in (outcome.problem or "")


def test_a_row_deleted_from_the_middle_is_found(app, make, session):
    ids = _log_views(app, make)
    _sql(session, "DELETE FROM audit_event WHERE id = :id", id=ids[6])
    outcome = verify(session)
    assert not outcome.ok and outcome.broken_event_id == ids[7]


def test_two_rows_swapped_are_found(app, make, session):
    ids = _log_views(app, make)
    first, second = ids[3], ids[8]
    _sql(session, "UPDATE audit_event SET id = -id WHERE id IN (:a, :b)", a=first, b=second)
    _sql(session, "UPDATE audit_event SET id = :b WHERE id = :a", a=-first, b=second)
    _sql(session, "UPDATE audit_event SET id = :a WHERE id = :b", a=first, b=-second)
    outcome = verify(session)
    assert not outcome.ok and outcome.broken_event_id == first


def test_the_newest_rows_deleted_are_found(app, make, session):
    ids = _log_views(app, make)
    _sql(session, "DELETE FROM audit_event WHERE id >= :id", id=ids[-2])
    outcome = verify(session)
    assert not outcome.ok and outcome.broken_event_id is None
    assert "missing" in (outcome.problem or "")


def test_the_oldest_rows_disposed_of_leave_a_chain_that_verifies(app, make, session):
    """Retention deletes a prefix: the first remaining row's previous hash is the anchor."""
    ids = _log_views(app, make)
    _sql(session, "DELETE FROM audit_event WHERE id <= :id", id=ids[4])
    outcome = verify(session)
    assert outcome.ok, outcome.problem
    assert outcome.rows_checked == len(ids) - 5
    _sql(session, "DELETE FROM audit_event")
    assert verify(session).ok  # every row disposed of: nothing left to contradict


def _verify_command(app):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        main_group, ["audit", "verify"], obj=ScriptInfo(create_app=lambda: app)
    )


def test_verify_command_reports_and_the_audit_log_shows_the_last_run(app, client, make, session):
    ids = _log_views(app, make)
    admin = make.admin()
    login(client, admin.email)
    assert "has not been checked yet" in client.get("/audit/").text

    result = _verify_command(app)
    assert result.exit_code == 0, result.output
    # 12, and 3 more: the page showed three patients, and looking is recorded too
    assert "verified: 15 event(s)" in result.output
    assert "hash chain verified on" in client.get("/audit/").text

    _sql(session, "UPDATE audit_event SET patient_id = patient_id + 1 WHERE id = :id", id=ids[2])
    result = _verify_command(app)
    assert result.exit_code == 1
    assert f"event {ids[2]} was changed" in result.output
    page = client.get("/audit/").text
    assert "The audit log failed its check" in page and f"event {ids[2]} was changed" in page
    kept = session.scalars(sa.select(AuditVerification).order_by(AuditVerification.id)).all()
    assert [(v.ok, v.broken_event_id) for v in kept] == [(True, None), (False, ids[2])]


@pytest.mark.skipif(BACKEND != "postgresql", reason="SQLite has one writer at a time")
def test_concurrent_writers_chain_one_after_another(empty_database_url, tmp_path):
    """Four requests at once, each appending rows in its own transaction: every row follows
    exactly one other (without the head's lock, two would chain from the same row)."""
    migrate.upgrade(empty_database_url)
    app = create_app(test_config(empty_database_url, tmp_path))
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            barrier.wait()
            for n in range(25):
                with app.test_request_context("/prep"):
                    record("view", [worker * 100 + n, worker * 100 + n + 50], f"list {n}")
                    db.session.commit()
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with app.app_context():
        outcome = verify(db.session)
    db.state(app).engine.dispose()
    assert outcome.ok, outcome.problem
    assert outcome.rows_checked == 200
    engine = create_engine(empty_database_url)
    with engine.connect() as conn:
        distinct = conn.execute(sa.text("SELECT count(DISTINCT previous_hash) FROM audit_event"))
        assert distinct.scalar_one() == 200
    engine.dispose()


def test_rows_written_before_the_chain_are_chained_by_the_migration(empty_database_url, tmp_path):
    migrate.upgrade(empty_database_url, "h2act0000001")
    engine = create_engine(empty_database_url)
    with engine.begin() as conn:
        for n, what in enumerate(["case 1 on the agenda", "prep 4", "Zoë's pack"]):
            conn.execute(
                sa.text(
                    "INSERT INTO audit_event (at, user_id, patient_id, action, what) "
                    "VALUES (:at, :user_id, :patient_id, 'view', :what)"
                ),
                {
                    "at": f"2026-11-0{n + 1} 09:00:00.12345{n}",
                    "user_id": n or None,
                    "patient_id": 10 + n,
                    "what": what,
                },
            )
    engine.dispose()
    migrate.upgrade(empty_database_url)
    app = create_app(test_config(empty_database_url, tmp_path))
    with app.app_context():
        assert verify(db.session) == Outcome(rows_checked=3)
        with app.test_request_context("/prep"):
            record("view", [99], "after the migration")
            db.session.commit()
        outcome = verify(db.session)
    db.state(app).engine.dispose()
    assert outcome.ok and outcome.rows_checked == 4, outcome.problem
