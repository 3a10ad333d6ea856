"""Administrators read the audit log: who saw or changed which patient's data, filtered by
person, patient and dates, a page at a time, and exported as CSV. Nothing changes a row."""

from __future__ import annotations

import csv
import io

import sqlalchemy as sa

from mdt.audit.models import AuditEvent
from mdt.audit.operations import Event, append
from tests.conftest import login
from tests.dates import shown
from tests.queries import count_queries
from tests.reminders.support import london


def _event(session, user, patient, at, action="view", what="patient record"):  # type: ignore[no-untyped-def]
    event = Event(user_id=user.id, patient_id=patient.id, at=at, action=action, what=what)
    append(session, [event])
    session.commit()


def _world(make, session):  # type: ignore[no-untyped-def]
    priya = make.user(name="Dr Priya Shah")
    sam = make.user(name="Sam Whitfield")
    edith = make.patient(name="Edith Example")
    fred = make.patient(name="Fred Other")
    _event(session, priya, edith, london(2027, 1, 10, 9, 0), what="case 1 on the agenda")
    _event(session, sam, edith, london(2027, 1, 11, 23, 30), action="update", what="prep 4")
    _event(session, sam, fred, london(2027, 1, 12, 0, 30), action="export", what="pack")
    return priya, sam, edith, fred


def _rows(page: str) -> list[str]:
    body = page.split('<tbody class="nhsuk-table__body">')[1].split("</tbody>")[0]
    return body.split('<tr class="nhsuk-table__row">')[1:]


def test_admin_sees_who_did_what_to_which_patient_newest_first(client, make, session):
    _priya, _sam, edith, _fred = _world(make, session)
    login(client, make.admin().email)
    rows = _rows(client.get("/audit/").text)
    assert len(rows) == 3
    assert "Fred Other" in rows[0] and "pack" in rows[0] and "Sam Whitfield" in rows[0]
    assert "Dr Priya Shah" in rows[2] and edith.nhs_number_display in rows[2]
    assert "10 Jan 2027 09:00" in rows[2]


def test_nobody_but_an_admin_reads_or_exports_the_log(client, make, session):
    _world(make, session)
    login(client, make.user().email)
    assert client.get("/audit/").status_code == 403
    assert client.get("/audit/export.csv").status_code == 403


def test_filters_by_person_patient_and_london_dates(client, make, session):
    _priya, sam, edith, _fred = _world(make, session)
    login(client, make.admin().email)
    by_number = client.get(f"/audit/?patient={edith.nhs_number_display}").text
    assert len(_rows(by_number)) == 2 and "Fred Other" not in by_number
    # (Each page viewed adds rows of its own, by the admin: the user filter leaves them out.)
    by_name = _rows(client.get(f"/audit/?patient=FRED&user_id={sam.id}").text)
    assert len(by_name) == 1 and "Fred Other" in by_name[0]
    assert len(_rows(client.get(f"/audit/?user_id={sam.id}").text)) == 2
    # 11 January in London: the update at 23:30, not the export 30 minutes later.
    one_day = _rows(client.get("/audit/?date_from=2027-01-11&date_to=2027-01-11").text)
    assert len(one_day) == 1 and "prep 4" in one_day[0]
    both = _rows(client.get(f"/audit/?user_id={sam.id}&patient=edith&date_from=2027-01-01").text)
    assert len(both) == 1 and "prep 4" in both[0]


def test_wrong_dates_are_explained_and_kept(client, make, session):
    _world(make, session)
    login(client, make.admin().email)
    page = client.get("/audit/?date_from=2027-02-30").text
    assert "&#39;From&#39; date must be a real date" in page
    assert shown(page, "date_from") == ("30", "02", "2027")
    page = client.get("/audit/?date_from=2027-01-12&date_to=2027-01-10").text
    assert "must be the same as or after" in page


def test_csv_holds_exactly_the_filtered_rows(client, make, session):
    _priya, sam, edith, fred = _world(make, session)
    _event(session, sam, fred, london(2027, 1, 13, 9, 0), what="=HYPERLINK(1)")
    login(client, make.admin().email)
    response = client.get(f"/audit/export.csv?user_id={sam.id}&patient=fred")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [r["what"] for r in rows] == ["'=HYPERLINK(1)", "pack"]
    assert {r["nhs_number"] for r in rows} == {fred.nhs_number}
    assert rows[1] == rows[1] | {
        "user": "Sam Whitfield",
        "action": "export",
        "patient": "Fred Other",
    }
    assert rows[1]["at_utc"] == "2027-01-12T00:30:00+00:00"
    everything = list(csv.DictReader(io.StringIO(client.get("/audit/export.csv").text)))
    assert edith.nhs_number in {r["nhs_number"] for r in everything}


def test_looking_at_the_log_is_itself_recorded(client, make, session):
    _priya, _sam, edith, fred = _world(make, session)
    admin = make.admin()
    login(client, admin.email)
    client.get("/audit/?patient=edith")
    client.get("/audit/export.csv?patient=fred")
    mine = session.execute(
        sa.select(AuditEvent.patient_id, AuditEvent.action, AuditEvent.what).where(
            AuditEvent.user_id == admin.id
        )
    ).all()
    assert sorted(mine) == sorted(
        [(edith.id, "view", "audit log"), (fred.id, "export", "audit log (CSV)")]
    )


def test_pages_of_fifty_newest_first_in_the_same_number_of_queries(client, make, session, app):
    user, patients = make.user(), [make.patient() for _ in range(5)]
    for i in range(3):
        _event(session, user, patients[0], london(2027, 1, 1, 9, i))
    login(client, make.admin().email)
    url = f"/audit/?user_id={user.id}"
    client.get(url)
    with count_queries(app) as few:
        assert len(_rows(client.get(url).text)) == 3
    for i in range(57):
        _event(session, user, patients[i % 5], london(2027, 2, 1, 9, i), what=f"event {i}")
    with count_queries(app) as many:
        first = client.get(url).text
    assert len(many) == len(few), "\n".join(many)
    assert len(_rows(first)) == 50 and "Older" in first and "Page 2 of 2" in first
    assert "event 56" in _rows(first)[0]
    second = client.get(f"{url}&page=2").text
    assert len(_rows(second)) == 10 and "Newer" in second and "Page 1 of 2" in second
    assert "1 Jan 2027 09:00" in _rows(second)[-1]


def test_no_route_changes_an_audit_row(app, client, make):
    audit_rules = [r for r in app.url_map.iter_rules() if r.endpoint.startswith("audit.")]
    assert audit_rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in audit_rules)
    login(client, make.admin().email)
    for path in ("/audit/", "/audit/export.csv"):
        assert client.post(path).status_code == 405
        assert client.delete(path).status_code == 405
