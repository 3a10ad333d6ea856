"""The daily retention run disposes of exactly the patients past retention: not a day early,
never one under a legal hold or on an upcoming agenda, and a dry run changes nothing."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
import time_machine
from click.testing import CliRunner
from flask.cli import ScriptInfo

from mdt.actions.models import ActionPoint
from mdt.agenda.models import Case
from mdt.audit.models import AuditEvent
from mdt.audit.operations import record
from mdt.cli import main_group
from mdt.extensions import db
from mdt.minutes.models import Discussion
from mdt.models import Base
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.retention import disposal
from mdt.retention.operations import DISPOSED_ACTION
from mdt.retention.rules import nhs_number_hash
from tests.conftest import login
from tests.retention.support import utc

#: 02:30 in London on 1 March 2026 (GMT): eight years after 1 March 2018.
RUN = utc("2026-03-01", "02:30")


def _run(app, now=RUN, dry_run=False):  # type: ignore[no-untyped-def]
    with app.app_context():
        return disposal.run(app.config, now, dry_run=dry_run)


def _exists(session, patient) -> bool:  # type: ignore[no-untyped-def]
    patient_id = sa.inspect(patient).identity[0]  # readable once the row has gone
    session.expire_all()
    return session.get(Patient, patient_id) is not None


def test_patient_goes_on_the_day_eight_years_after_their_last_case_closed(app, clinic, session):
    due = clinic.patient_closed_on(utc("2018-03-01", "16:00"))
    not_yet = clinic.patient_closed_on(utc("2018-03-02", "09:00"))
    due_id = due.patient.id
    result = _run(app)
    assert [s.patient_id for s in result.due] == [due_id]
    assert result.disposed == 1
    assert not _exists(session, due.patient)
    assert _exists(session, not_yet.patient)
    # The next day the other one goes too.
    assert _run(app, RUN + timedelta(days=1)).disposed == 1
    assert not _exists(session, not_yet.patient)


def test_the_day_is_londons_in_summer_time(app, clinic, session):
    # 23:30 UTC on 30 June is 00:30 on 1 July in London: the case closed on 1 July.
    july = clinic.patient_closed_on(utc("2018-06-30", "23:30"))
    assert _run(app, utc("2026-06-30", "12:00")).disposed == 0
    assert _run(app, utc("2026-07-01", "01:00")).disposed == 1  # 02:00 BST on 1 July
    assert not _exists(session, july.patient)


def test_disposal_takes_cases_preparation_and_outcomes_and_leaves_actions_anonymous(
    app, clinic, session
):
    gone = clinic.patient_closed_on(utc("2018-01-10"))
    case_id, action_id = gone.case.id, gone.action.id
    name = gone.patient.name
    _run(app)
    session.expire_all()
    assert session.get(Case, case_id) is None
    assert session.scalar(sa.select(sa.func.count()).where(PrepRequest.case_id == case_id)) == 0
    assert session.scalar(sa.select(sa.func.count()).where(Discussion.case_id == case_id)) == 0
    action = session.get(ActionPoint, action_id)
    assert (action.patient_id, action.case_id) == (None, None)
    assert action.description == DISPOSED_ACTION
    assert name not in action.description


def test_each_disposal_writes_one_audit_row_naming_them_by_a_keyed_hash(app, clinic, session):
    gone = clinic.patient_closed_on(utc("2018-01-10"))
    number, pid, name = gone.patient.nhs_number, gone.patient.id, gone.patient.name
    _run(app)
    rows = session.scalars(sa.select(AuditEvent).where(AuditEvent.action == "dispose")).all()
    assert [r.patient_id for r in rows] == [pid]
    what = rows[0].what
    assert number not in what and name not in what
    assert nhs_number_hash(number, app.config["SECRET_KEY"]) in what
    assert "8 years after 2018-01-10" in what


def test_a_legal_hold_keeps_them_until_it_is_lifted(app, clinic, session, make):
    held = clinic.patient_closed_on(utc("2010-01-10"))
    hold = make.hold(held.patient, make.admin())
    assert _run(app).disposed == 0
    assert _exists(session, held.patient)
    hold.lifted_at = RUN - timedelta(days=1)
    session.commit()
    assert _run(app).disposed == 1
    assert not _exists(session, held.patient)


def test_a_patient_on_an_upcoming_agenda_is_never_disposed_of(app, clinic, session, make):
    old = clinic.patient_closed_on(utc("2010-01-10"))
    make.case(clinic.upcoming_meeting(RUN + timedelta(days=5)), old.patient, clinic.member)
    # A meeting that has passed but was never closed by its chair is still open.
    unclosed = clinic.patient_closed_on(utc("2010-01-10"))
    make.case(clinic.upcoming_meeting(utc("2015-06-01")), unclosed.patient)
    waiting = clinic.patient_closed_on(utc("2010-01-10"))
    waiting.case.waiting = True
    session.commit()
    assert _run(app).disposed == 0
    for kept in (old, unclosed, waiting):
        assert _exists(session, kept.patient)


def test_an_open_action_or_a_later_review_keeps_them(app, clinic, session, make):
    acting = clinic.patient_closed_on(utc("2010-01-10"))
    make.action(acting.case, clinic.member)  # open
    reviewed = clinic.patient_closed_on(utc("2010-01-10"))
    discussion = session.scalar(sa.select(Discussion).where(Discussion.case_id == reviewed.case.id))
    discussion.review_date = utc("2018-03-02").date()  # due 2 March 2026
    session.commit()
    assert _run(app).disposed == 0
    assert _run(app, RUN + timedelta(days=1)).disposed == 1
    assert _exists(session, acting.patient)
    assert not _exists(session, reviewed.patient)


def test_an_organisation_keeps_its_patients_for_its_own_period(app, clinic, session, make):
    practice = make.organisation(retention_years=3)
    short = clinic.patient_closed_on(utc("2023-03-01"), registered_practice=practice)
    default = clinic.patient_closed_on(utc("2023-03-01"))
    assert _run(app).disposed == 1
    assert not _exists(session, short.patient)
    assert _exists(session, default.patient)


def test_a_patient_never_put_on_an_agenda_counts_from_when_they_were_added(app, session, make):
    added = make.patient(created_at=utc("2018-03-01"))
    assert _run(app).disposed == 1
    assert not _exists(session, added)


def _audit_at(app, day: str, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    """An audit row written on `day`, the way the app writes them."""
    with time_machine.travel(utc(day), tick=False), app.app_context():
        record("view", [patient_id], f"seen {day}")
        db.session.commit()


def _row_counts(session) -> dict[str, int]:  # type: ignore[no-untyped-def]
    session.expire_all()
    return {
        table.name: session.scalar(sa.select(sa.func.count()).select_from(table))
        for table in Base.metadata.sorted_tables
    }


def test_the_dry_run_lists_what_would_go_and_changes_nothing(app, clinic, session):
    due = clinic.patient_closed_on(utc("2018-01-10"))
    clinic.patient_closed_on(utc("2025-01-10"))
    _audit_at(app, "2017-01-01", due.patient.id)
    before = _row_counts(session)
    result = _run(app, dry_run=True)
    assert [s.patient_id for s in result.due] == [due.patient.id]
    assert result.audit_rows == 1
    assert "nothing was changed" in result.summary()
    assert _row_counts(session) == before


def test_mdt_retention_dry_run_prints_patients_by_id_only(app, clinic, session):
    due = clinic.patient_closed_on(utc("2018-01-10"))
    pid, number, name = due.patient.id, due.patient.nhs_number, due.patient.name
    before = _row_counts(session)
    with time_machine.travel(RUN, tick=False):
        out = CliRunner().invoke(
            main_group, ["retention", "--dry-run"], obj=ScriptInfo(create_app=lambda: app)
        )
    assert out.exit_code == 0, out.output
    assert f"patient {pid}: closed 2018-01-10, kept 8 years, due 2026-01-10" in out.output
    assert number not in out.output and name not in out.output
    assert _row_counts(session) == before
    with time_machine.travel(RUN, tick=False):
        out = CliRunner().invoke(main_group, ["retention"], obj=ScriptInfo(create_app=lambda: app))
    assert "1 patient(s) disposed of" in out.output
    assert not _exists(session, due.patient)


def test_audit_rows_past_their_period_go_oldest_first_never_from_the_middle(app, session, make):
    patient = make.patient()
    times = ["2017-01-01", "2017-06-01", "2019-01-01", "2017-09-01", "2025-01-01"]
    for day in times:
        _audit_at(app, day, patient.id)
    ids = session.scalars(sa.select(AuditEvent.id).order_by(AuditEvent.id)).all()[-5:]
    # Eight years before 1 March 2026: 1 March 2018. The 2017-09-01 row comes after a
    # 2019 row, so it stays: only the prefix before the first row to keep goes.
    result = _run(app)
    assert result.audit_rows >= 2
    session.expire_all()
    left = session.scalars(sa.select(AuditEvent.id).where(AuditEvent.id.in_(ids))).all()
    assert left == ids[2:]
    assert min(session.scalars(sa.select(AuditEvent.id))) == ids[2]


def test_the_audit_log_shows_each_disposal_without_the_patient(app, client, clinic, make):
    gone = clinic.patient_closed_on(utc("2018-01-10"))
    name, number = gone.patient.name, gone.patient.nhs_number
    _run(app)
    login(client, make.admin().email)
    page = client.get("/audit/?date_from=2000-01-01").text
    assert "No longer held (disposed of)" in page
    assert "disposed of by the retention rule (8 years after 2018-01-10)" in page
    assert name not in page
    exported = client.get("/audit/export.csv").text
    assert "disposed of by the retention rule" in exported
    assert number not in exported and name not in exported
