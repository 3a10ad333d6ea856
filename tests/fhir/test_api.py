"""The resources: valid FHIR 4.0.1 (and R4B) with their UK Core profiles (tests/fhir/
validation.py says how that is checked), searchset paging."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from mdt.fhir.resources import NHS_NUMBER
from mdt.meetings.models import MeetingStatus
from mdt.minutes.models import Discussion, Outcome
from tests.fhir.conftest import bearer
from tests.fhir.validation import UK_CORE_PROFILES, expected_profile, valid

__all__ = ["discussed", "story", "valid"]


def story(make) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    """A practice whose GP sits on a team with a meeting to come, a case and an action."""
    practice = make.organisation(ods_code="F84012")
    gp = make.user(organisation=practice, email="gp@practice.example.org")
    team = make.team(
        name="Riverside MDT", coordinator=make.user(email="chair@community.example.org")
    )
    make.member(team, gp)
    meeting = make.meeting(team)
    patient = make.patient(registered_practice=practice)
    case = make.case(meeting, patient, gp)
    action = make.action(case, gp)
    return {
        "practice": practice,
        "gp": gp,
        "team": team,
        "meeting": meeting,
        "patient": patient,
        "case": case,
        "action": action,
    }


def discussed(make, world: dict[str, Any]) -> Discussion:  # type: ignore[no-untyped-def]
    """The patient discussed at an earlier meeting whose minutes are sent, with an action."""
    held = datetime(2026, 11, 10, 12, 30, tzinfo=UTC)
    past = make.meeting(
        world["team"],
        starts_at=held,
        ends_at=held + timedelta(hours=1),
        status=MeetingStatus.HELD,
        minutes_sent_at=held + timedelta(hours=2),
    )
    case = make.case(past, world["patient"])
    discussion = Discussion(
        meeting_id=past.id,
        case_id=case.id,
        outcome=Outcome.PLAN_AGREED,
        summary="Falls clinic; carer assessment",
        review_date=date(2027, 2, 1),
    )
    make.session.add(discussion)
    make.session.commit()
    make.action(case, world["gp"], description="Refer to the falls clinic")
    return discussion


@pytest.fixture
def world(make, register, client):  # type: ignore[no-untyped-def]
    world = story(make)
    world["api"] = register(world["practice"])
    world["headers"] = bearer(client, world["api"])
    return world


@pytest.mark.parametrize(
    "path",
    [
        "/HealthcareService",
        "/HealthcareService/{team}",
        "/Appointment",
        "/Appointment/{meeting}",
        "/ServiceRequest",
        "/ServiceRequest/{case}",
        "/Task",
        "/Task?code=prepare",
        "/Task/action-{action}",
        "/Task/prep-{prep}",
        "/CarePlan",
        "/CarePlan/{plan}",
        "/Schedule",
        "/Schedule/{series}",
        "/Slot",
        "/Slot/{series}-20270105",
    ],
)
def test_every_resource_returned_is_valid_fhir_with_its_uk_core_profile(client, make, world, path):
    plan = discussed(make, world)
    series = make.series(world["team"], weekday=1)  # Tuesdays from 5 January 2027
    ids = {
        "series": series.id,
        "plan": plan.id,
        "team": world["team"].id,
        "meeting": world["meeting"].id,
        "case": world["case"].id,
        "action": world["action"].id,
        "prep": world["case"].prep_requests[0].id,
    }
    response = client.get("/fhir/R4" + path.format(**ids), headers=world["headers"])
    assert response.status_code == 200, response.text
    assert response.mimetype == "application/fhir+json"
    body = valid(response.json)
    if body["resourceType"] == "Bundle":
        assert body["type"] == "searchset" and body["entry"]


def test_the_capability_statement_is_valid_and_lists_the_token_endpoint(client):
    body = valid(client.get("/fhir/R4/metadata").json)
    resources = {r["type"] for r in body["rest"][0]["resource"]}
    assert resources == {
        "HealthcareService",
        "Appointment",
        "ServiceRequest",
        "Task",
        "CarePlan",
        "Schedule",
        "Slot",
    }
    uris = body["rest"][0]["security"]["extension"][0]["extension"]
    assert uris == [{"url": "token", "valueUri": "http://mdt.test/fhir/R4/token"}]


def test_every_profile_claimed_is_one_uk_core_publishes(client):
    """Each supported profile is the UK Core one read from its StructureDefinition, and every
    type we serve has one (so none falls back to the base R4 profile)."""
    body = client.get("/fhir/R4/metadata").json
    for resource in body["rest"][0]["resource"]:
        assert resource["supportedProfile"] == [UK_CORE_PROFILES[resource["type"]]["url"]]
    assert body["meta"]["profile"] == [expected_profile("CapabilityStatement")]
    assert "CapabilityStatement" not in UK_CORE_PROFILES
    assert expected_profile("CapabilityStatement").startswith("http://hl7.org/fhir/")


def test_search_pages_link_to_each_other_and_the_links_work(client, make, world):
    for _ in range(4):
        make.action(world["case"], world["gp"])
    first = client.get("/fhir/R4/Task?code=action&_count=2", headers=world["headers"]).json
    assert first["total"] == 5 and len(first["entry"]) == 2
    seen = [e["resource"]["id"] for e in first["entry"]]
    page = first
    while nxt := next((lk["url"] for lk in page["link"] if lk["relation"] == "next"), None):
        page = valid(client.get(nxt, headers=world["headers"]).json)
        seen += [e["resource"]["id"] for e in page["entry"]]
    assert len(seen) == len(set(seen)) == 5


def test_the_subject_carries_the_nhs_number(client, world):
    body = client.get(f"/fhir/R4/ServiceRequest/{world['case'].id}", headers=world["headers"]).json
    assert body["subject"]["identifier"] == {
        "system": NHS_NUMBER,
        "value": world["patient"].nhs_number,
    }


def test_an_unknown_search_parameter_is_refused_not_ignored(client, world):
    response = client.get("/fhir/R4/Task?colour=red", headers=world["headers"])
    assert response.status_code == 400 and response.json["resourceType"] == "OperationOutcome"


def test_a_care_plan_gives_the_outcome_and_its_actions(client, make, world):
    plan = discussed(make, world)
    body = client.get(f"/fhir/R4/CarePlan/{plan.id}", headers=world["headers"]).json
    assert body["title"] == "Plan agreed" and body["description"].startswith("Falls clinic")
    task = client.get(
        "/fhir/R4/" + body["activity"][0]["reference"]["reference"], headers=world["headers"]
    ).json
    assert task["description"] == "Refer to the falls clinic"


def test_slots_say_which_protected_time_is_free_and_which_is_booked(client, make, world):
    series = make.series(world["team"], weekday=1)
    start = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)
    make.meeting(world["team"], series, starts_at=start, ends_at=start + timedelta(minutes=90))
    query = f"/fhir/R4/Slot?schedule=Schedule/{series.id}&start=ge2027-01-05&start=lt2027-01-20"
    body = valid(client.get(query, headers=world["headers"]).json)
    assert [(e["resource"]["start"], e["resource"]["status"]) for e in body["entry"]] == [
        ("2027-01-05T12:30:00Z", "free"),
        ("2027-01-12T12:30:00Z", "busy"),
        ("2027-01-19T12:30:00Z", "free"),
    ]
