"""A ServiceRequest adds a case by the web form's rules."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
import sqlalchemy as sa
import time_machine

from mdt.agenda.models import Case
from mdt.audit.models import AuditEvent
from mdt.fhir.resources import EMAIL, LATE_REASON, NHS_NUMBER, ODS_CODE
from tests.fhir.conftest import bearer
from tests.fhir.test_api import story, valid

ADA = "9434765919"


def referral(world: dict[str, Any], nhs: str = ADA, **over: Any) -> dict[str, Any]:
    body = {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": "https://gp.example/referrals", "value": "R-1"}],
        "status": "active",
        "intent": "order",
        "priority": "routine",
        "contained": [
            {
                "resourceType": "Patient",
                "id": "p",
                "identifier": [{"system": NHS_NUMBER, "value": nhs}],
                "name": [{"text": "Ada Lovelace"}],
                "birthDate": "1940-03-21",
                "generalPractitioner": [{"identifier": {"system": ODS_CODE, "value": "F84012"}}],
            }
        ],
        "subject": {"reference": "#p"},
        "requester": {"identifier": {"system": EMAIL, "value": world["gp"].email}},
        "performer": [{"reference": f"HealthcareService/{world['team'].id}"}],
        "reasonCode": [{"text": "Falls and carer strain"}],
        "orderDetail": [{"text": "Adult social care"}],
    }
    return body | over


@pytest.fixture
def world(make, register, client):  # type: ignore[no-untyped-def]
    world = story(make)
    world["api"] = register(world["practice"])
    world["headers"] = bearer(client, world["api"])
    return world


def post(client, world, body, **headers):  # type: ignore[no-untyped-def]
    return client.post(
        "/fhir/R4/ServiceRequest",
        json=body,
        headers=world["headers"] | {"Content-Type": "application/fhir+json"} | headers,
    )


def cases(session, meeting) -> list[Case]:  # type: ignore[no-untyped-def]
    return session.scalars(sa.select(Case).where(Case.meeting_id == meeting.id)).all()


def test_a_referral_joins_the_next_open_agenda_with_prep_requested(client, world, session):
    response = post(client, world, referral(world))
    assert response.status_code == 201, response.text
    body = valid(response.json)
    assert response.headers["ETag"] == 'W/"1"'
    added = session.get(Case, int(body["id"]))
    assert added.meeting_id == world["meeting"].id and added.patient.name == "Ada Lovelace"
    assert added.disciplines == ["Adult social care"] and added.prep_requests
    assert added.referred_by_id == world["gp"].id


def test_a_retried_conditional_create_adds_the_case_once(client, world, session):
    condition = {"If-None-Exist": "identifier=https://gp.example/referrals|R-1"}
    first = post(client, world, referral(world), **condition)
    second = post(client, world, referral(world), **condition)
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json["id"] == second.json["id"]
    assert len(cases(session, world["meeting"])) == 2  # the story's case and this one


def test_a_person_who_objects_cannot_be_referred(client, world, make):
    make.patient(
        nhs_number=ADA,
        name="Ada Lovelace",
        date_of_birth=date(1940, 3, 21),
        registered_practice=world["practice"],
        objects_to_sharing=True,
    )
    response = post(client, world, referral(world))
    assert response.status_code == 422
    assert "objected" in response.json["issue"][0]["diagnostics"]


def test_an_invalid_nhs_number_is_refused_with_the_web_forms_message(client, world):
    response = post(client, world, referral(world, nhs="9434765918"))
    assert response.status_code == 422
    assert "check digit" in response.json["issue"][0]["diagnostics"]


def test_after_the_cut_off_only_urgent_with_a_reason(client, world, session):
    with time_machine.travel(datetime(2027, 1, 11, 12, 0, tzinfo=UTC), tick=False):
        headers = bearer(client, world["api"])
        world = world | {"headers": headers}
        routine = post(client, world, referral(world))
        assert routine.status_code == 422 and "cut-off" in routine.text
        urgent = post(client, world, referral(world, priority="urgent"))
        assert urgent.status_code == 422 and "cannot wait" in urgent.text
        why = [{"url": LATE_REASON, "valueString": "Carer in hospital"}]
        late = post(client, world, referral(world, priority="urgent", extension=why))
        assert late.status_code == 201, late.text
        assert session.get(Case, int(late.json["id"])).late_reason == "Carer in hospital"


def test_a_requester_outside_the_clients_organisation_is_refused(client, world, make):
    stranger = make.user(email="someone@elsewhere.example.org")
    make.member(world["team"], stranger)
    body = referral(world, requester={"identifier": {"system": EMAIL, "value": stranger.email}})
    response = post(client, world, body)
    assert response.status_code == 403


def test_a_number_recorded_for_someone_unseen_is_refused_without_saying_so(
    client, world, make, session
):
    hidden = make.patient(nhs_number=ADA, name="Someone Else")
    response = post(client, world, referral(world))
    assert response.status_code == 422
    assert "already recorded" not in response.text
    row = session.scalars(sa.select(AuditEvent).where(AuditEvent.patient_id == hidden.id)).one()
    assert (row.action, row.client_id) == ("refused", world["api"].id)


def test_a_client_without_the_create_scope_cannot_refer(client, world, register, make):
    reader = register(world["practice"], scopes="system/*.rs")
    response = post(client, world | {"headers": bearer(client, reader)}, referral(world))
    assert response.status_code == 403
