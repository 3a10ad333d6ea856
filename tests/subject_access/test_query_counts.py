"""A subject access export takes the same number of queries for one case or many."""

from __future__ import annotations

from datetime import timedelta

from mdt.minutes.models import Discussion, Outcome
from tests.conftest import login, submit
from tests.queries import count_queries
from tests.retention.support import Clinic, utc


def _person_with(make, session, cases: int):  # type: ignore[no-untyped-def]
    person = make.patient()
    for n in range(cases):
        clinic = Clinic(make, session)  # a team, a member and a meeting of their own each
        meeting = clinic.held_meeting(utc("2026-06-01") + timedelta(days=7 * n))
        case = make.case(meeting, person, clinic.member, make.user())
        session.add(Discussion(meeting_id=meeting.id, case_id=case.id, outcome=Outcome.REFER_ON))
        make.action(case, make.user())
        make.action(case, clinic.member)
        make.hold(person, make.admin(), lifted_by_id=make.admin().id, lifted_at=utc("2026-07-01"))
    session.commit()
    return person


def test_the_export_takes_the_same_queries_for_one_case_or_five(app, client, make, session):
    login(client, make.admin(email="sar@example.org").email)
    counts = {}
    for cases in (1, 5):
        person = _person_with(make, session, cases)
        for form in ("page", "json"):
            with count_queries(app) as statements:
                response = submit(
                    client,
                    "/admin/subject-access/",
                    {"nhs_number": person.nhs_number, "format": form},
                )
            assert response.status_code == 200
            counts[cases, form] = len(statements)
    assert counts[1, "page"] == counts[5, "page"], counts
    assert counts[1, "json"] == counts[5, "json"], counts
