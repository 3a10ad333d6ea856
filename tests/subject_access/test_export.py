"""An administrator answers a subject access request: everything held about one person, as
FHIR R4 JSON or a printable page, including who viewed their records; the export is audited."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.audit.models import AuditEvent
from mdt.audit.operations import record
from mdt.extensions import db
from mdt.fhir.models import ApiClient, Referral
from mdt.models import Base
from mdt.retention import disposal
from mdt.subject_access.bundle import READ_WITH, SOURCES
from tests.conftest import login, submit
from tests.retention.support import Clinic, utc
from tests.schema import tables_naming_a_patient

URL = "/admin/subject-access/"


def not_exported(metadata: sa.MetaData) -> set[str]:
    return tables_naming_a_patient(metadata) - SOURCES.keys() - READ_WITH.keys()


def test_every_table_that_names_a_patient_is_in_the_export():
    assert not_exported(Base.metadata) == set(), "add these tables to subject_access.bundle"
    assert {"agenda_case", "prep_request", "discussion", "action_change"} <= (
        tables_naming_a_patient(Base.metadata)
    )


def test_a_new_table_with_a_patient_column_is_caught():
    metadata = sa.MetaData()
    for table in Base.metadata.tables.values():
        table.to_metadata(metadata)
    sa.Table(
        "home_visit",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("patient_id", sa.Integer),
    )
    sa.Table(
        "visit_note",
        metadata,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("visit_id", sa.ForeignKey("home_visit.id")),
    )
    assert not_exported(metadata) == {"home_visit", "visit_note"}


@pytest.fixture
def person(app, make, session):  # type: ignore[no-untyped-def]
    """A patient with a case, preparation, an outcome, an action with history, a hold and
    an audit trail: a row in every table the export reads."""
    clinic = Clinic(make, session)
    closed = clinic.patient_closed_on(utc("2026-10-01"))
    viewer = make.user(name="Dr Viewer", email="viewer@example.org")
    make.hold(closed.patient, make.admin())
    sender = ApiClient(
        client_id="gp-system",
        name="GP system",
        organisation_id=viewer.organisation_id,
        jwks='{"keys": []}',
        scopes="system/ServiceRequest.c",
    )
    make.session.add(sender)
    make.session.flush()
    make.session.add(
        Referral(client_pk=sender.id, system="urn:gp", value="ref-1", case_id=closed.case.id)
    )
    make.session.commit()
    with app.test_request_context():
        from flask_login import login_user

        login_user(db.session.get(User, viewer.id))
        record("view", [closed.patient.id], "patient record")
        db.session.commit()
    return closed


@pytest.fixture
def admin_client(app, make):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, make.admin(email="sar@example.org").email)
    return client


def test_the_json_export_has_every_table_as_fhir_resources(admin_client, person, session):
    pid, number = person.patient.id, person.patient.nhs_number
    response = submit(admin_client, URL, {"nhs_number": number, "format": "json"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and number not in disposition
    document = json.loads(response.text)
    assert document["format"] == "mdt-subject-access/1"
    assert all(document["tables"][table] >= 1 for table in (*SOURCES, *READ_WITH)), document[
        "tables"
    ]
    resources = [e["resource"] for e in document["fhir"]["entry"]]
    kinds = {r["resourceType"] for r in resources}
    assert kinds == {"Patient", "ServiceRequest", "Task", "CarePlan", "AuditEvent"}
    patient = next(r for r in resources if r["resourceType"] == "Patient")
    assert patient["identifier"][0] == {
        "system": "https://fhir.nhs.uk/Id/nhs-number",
        "value": number,
    }
    plan = next(r for r in resources if r["resourceType"] == "CarePlan")
    assert plan["description"] == "Agreed a plan with the family"
    viewed = [r for r in resources if r["resourceType"] == "AuditEvent" and r["action"] == "R"]
    assert any(r["agent"][0]["who"]["display"] == "Dr Viewer (viewer@example.org)" for r in viewed)
    assert document["legal_holds"][0]["reason"].startswith("Claim")
    exports = session.scalars(
        sa.select(AuditEvent.what).where(
            AuditEvent.patient_id == pid, AuditEvent.action == "export"
        )
    ).all()
    assert exports == ["subject access export (JSON)"]


def test_the_printable_page_shows_who_viewed_the_records(admin_client, person):
    response = submit(
        admin_client, URL, {"nhs_number": person.patient.nhs_number_display, "format": "page"}
    )
    page = response.text
    assert f"Records held about {person.patient.name}" in page
    assert "Agreed a plan with the family" in page
    assert "Dr Viewer (viewer@example.org)" in page
    assert person.patient.nhs_number not in response.request.url


def test_only_administrators_may_export(app, make, person):
    client = app.test_client()
    login(client, make.user(email="clinician@example.org").email)
    response = client.post(URL, data={"nhs_number": person.patient.nhs_number})
    assert response.status_code == 403


def test_a_wrong_nhs_number_is_explained(admin_client):
    response = submit(admin_client, URL, {"nhs_number": "12345", "format": "page"})
    assert "nhsuk-error-summary" in response.text
    assert "An NHS number has 10 digits; this has 5" in response.text
    assert 'value="12345"' in response.text


def test_a_disposed_persons_request_is_answered_from_the_keyed_hash(app, admin_client, make):
    gone = make.patient(created_at=utc("2010-01-01"))
    number = gone.nhs_number
    with app.app_context():
        assert disposal.run(app.config, utc("2026-03-01")).disposed >= 1
    response = submit(admin_client, URL, {"nhs_number": number, "format": "page"})
    assert "No records held" in response.text
    assert 'id="disposed"' in response.text


def test_someone_never_known_is_told_so(admin_client):
    response = submit(admin_client, URL, {"nhs_number": "9434765919", "format": "json"})
    assert "holds no records about anyone with this NHS number" in response.text
