"""An administrator sees who falls due in the next 90 days and places or lifts legal holds;
each step is recorded in the audit log."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import time_machine

from mdt.audit.models import AuditEvent
from mdt.retention.models import LegalHold
from tests.conftest import csrf_token, login, submit
from tests.queries import count_queries
from tests.retention.support import utc

TODAY = utc("2026-03-01", "09:00")


@pytest.fixture
def admin_client(app, make):  # type: ignore[no-untyped-def]
    admin = make.admin(email="admin@retention.example.org")
    client = app.test_client()
    with time_machine.travel(TODAY, tick=False):
        login(client, admin.email)
        yield client


def _audit(session, patient_id: int) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    session.expire_all()
    rows = session.execute(
        sa.select(AuditEvent.action, AuditEvent.what)
        .where(AuditEvent.patient_id == patient_id)
        .order_by(AuditEvent.id)
    )
    return [tuple(r) for r in rows]


def test_the_page_lists_who_falls_due_in_the_next_90_days(admin_client, clinic, session):
    soon = clinic.patient_closed_on(utc("2018-05-20"))  # due 20 May 2026: in 80 days
    later = clinic.patient_closed_on(utc("2018-06-20"))  # due 20 June 2026: in 111 days
    page = admin_client.get("/admin/retention/").text
    assert f'data-patient="{soon.patient.id}"' in page
    assert "20 May 2026" in page
    assert f'data-patient="{later.patient.id}"' not in page
    assert _audit(session, soon.patient.id) == [("view", "retention: falling due")]


def test_administrator_places_a_hold_by_nhs_number_and_lifts_it(admin_client, clinic, session):
    held = clinic.patient_closed_on(utc("2018-05-20"))
    number, pid = held.patient.nhs_number_display, held.patient.id
    response = submit(
        admin_client, "/admin/retention/hold", {"nhs_number": number, "reason": "Claim 114"}
    )
    assert response.status_code == 302
    hold = session.scalar(sa.select(LegalHold).where(LegalHold.patient_id == pid))
    assert (hold.reason, hold.active) == ("Claim 114", True)
    page = admin_client.get("/admin/retention/").text
    assert "Held" in page and f"/admin/retention/holds/{hold.id}/lift" in page
    response = submit(
        admin_client, f"/admin/retention/holds/{hold.id}/lift", {"reason": "Claim settled"}
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(LegalHold, hold.id).lift_reason == "Claim settled"
    assert session.get(LegalHold, hold.id).active is False
    actions = _audit(session, pid)
    assert ("update", f"legal hold {hold.id} placed") in actions
    assert ("update", f"legal hold {hold.id} lifted") in actions
    # A lifted hold cannot be lifted again.
    assert admin_client.get(f"/admin/retention/holds/{hold.id}/lift").status_code == 404


def test_a_wrong_nhs_number_is_explained_and_what_was_typed_is_kept(admin_client, session):
    response = submit(
        admin_client, "/admin/retention/hold", {"nhs_number": "943 476 5918", "reason": "Inquiry"}
    )
    assert response.status_code == 200
    page = response.text
    assert "nhsuk-error-summary" in page
    assert "check digit" in page
    assert 'value="943 476 5918"' in page and "Inquiry" in page
    assert session.scalar(sa.select(sa.func.count()).select_from(LegalHold)) == 0


def test_an_unknown_patient_or_a_second_hold_is_refused(admin_client, clinic, make, session):
    response = submit(
        admin_client, "/admin/retention/hold", {"nhs_number": "9434765919", "reason": "Inquiry"}
    )
    assert "No patient with this NHS number is held here" in response.text
    held = clinic.patient_closed_on(utc("2018-05-20"))
    make.hold(held.patient, make.admin())
    response = submit(
        admin_client,
        "/admin/retention/hold",
        {"nhs_number": held.patient.nhs_number, "reason": "Another"},
    )
    assert "already under a legal hold" in response.text


def test_a_hold_needs_a_reason(admin_client, clinic):
    held = clinic.patient_closed_on(utc("2018-05-20"))
    url = f"/admin/retention/hold?patient={held.patient.id}"
    page = admin_client.get(url).text
    assert held.patient.nhs_number_display in page
    response = admin_client.post(
        "/admin/retention/hold",
        data={
            "nhs_number": held.patient.nhs_number,
            "reason": " ",
            "csrf_token": csrf_token(admin_client, url),
        },
    )
    assert "Enter why the records must be kept" in response.text


def test_the_page_takes_the_same_queries_for_two_patients_or_twelve(
    app, admin_client, clinic, make
):
    admin = make.admin()
    counts = []
    for n in (2, 10):
        for _ in range(n):
            closed = clinic.patient_closed_on(utc("2018-04-01"))
            make.hold(closed.patient, admin)
        with count_queries(app) as statements:
            assert admin_client.get("/admin/retention/").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
