"""Each search parameter the CapabilityStatement lists narrows the results: the match is
found, and a value that should not match finds nothing."""

from __future__ import annotations

import pytest

from mdt.meetings.models import Reply
from tests.fhir.conftest import bearer
from tests.fhir.test_api import discussed, story
from tests.fhir.validation import valid


@pytest.fixture
def world(make, register, client):  # type: ignore[no-untyped-def]
    world = story(make)
    world["plan"] = discussed(make, world)
    world["series"] = make.series(world["team"], weekday=1)
    world["headers"] = bearer(client, register(world["practice"]))
    return world


def _ids(client, world, query: str) -> set[str]:  # type: ignore[no-untyped-def]
    response = client.get(f"/fhir/R4/{query}", headers=world["headers"])
    assert response.status_code == 200, response.text
    return {e["resource"]["id"] for e in valid(response.json).get("entry", [])}


def _cases(world) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        "team": str(world["team"].id),
        "meeting": str(world["meeting"].id),
        "case": str(world["case"].id),
        "patient": str(world["patient"].id),
        "plan": str(world["plan"].id),
        "series": str(world["series"].id),
        "action": f"action-{world['action'].id}",
    }


@pytest.mark.parametrize(
    "query, wanted, found",
    [
        ("HealthcareService?organization=F84012", "team", True),
        (
            "HealthcareService?organization=https://fhir.nhs.uk/Id/ods-organization-code|F84012",
            "team",
            True,
        ),
        ("HealthcareService?organization=X99999", "team", False),
        ("HealthcareService?name=riverside", "team", True),
        ("HealthcareService?name=Hillside", "team", False),
        ("Appointment?date=ge2027-01-01&date=lt2027-02-01", "meeting", True),
        ("Appointment?date=2027-01-12", "meeting", True),
        ("Appointment?date=lt2027-01-01", "meeting", False),
        ("Appointment?service-type=Riverside MDT", "meeting", True),
        ("Appointment?service-type=Hillside MDT", "meeting", False),
        ("Appointment?actor=HealthcareService/{team}", "meeting", True),
        ("Appointment?actor=HealthcareService/999999", "meeting", False),
        ("ServiceRequest?patient=Patient/{patient}", "case", True),
        ("ServiceRequest?patient=Patient/999999", "case", False),
        ("Task?patient=Patient/{patient}", "action", True),
        ("Task?_lastUpdated=ge2020-01-01", "action", True),
        ("Task?_lastUpdated=lt2020-01-01", "action", False),
        ("CarePlan?patient=Patient/{patient}", "plan", True),
        ("CarePlan?patient=Patient/999999", "plan", False),
        ("CarePlan?_lastUpdated=ge2020-01-01", "plan", True),
        ("CarePlan?_lastUpdated=lt2020-01-01", "plan", False),
        ("Schedule?actor=HealthcareService/{team}", "series", True),
        ("Schedule?actor=HealthcareService/999999", "series", False),
    ],
)
def test_a_search_parameter_narrows_the_results(client, world, query, wanted, found):
    ids = _cases(world)
    assert (ids[wanted] in _ids(client, world, query.format(**ids))) is found


def test_appointment_participants_carry_their_replies(client, world, session):
    invitations = {i.user_id: i for i in world["meeting"].invitations}
    invitations[world["gp"].id].reply = Reply.APOLOGIES
    session.commit()
    body = client.get(f"/fhir/R4/Appointment/{world['meeting'].id}", headers=world["headers"])
    statuses = {
        p["actor"].get("identifier", {}).get("value"): p["status"] for p in body.json["participant"]
    }
    assert statuses[world["gp"].email] == "declined"
    assert statuses[None] == "accepted"  # the team itself, the service holding the meeting
