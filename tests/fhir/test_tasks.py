"""Closing Tasks at the version read: If-Match, 412 when stale, nothing lost."""

from __future__ import annotations

import pytest

from mdt.actions.models import ActionPoint, ActionStatus
from mdt.prep.models import PrepRequest
from tests.fhir.conftest import bearer
from tests.fhir.test_api import story, valid

DONE = [
    {"op": "replace", "path": "/status", "value": "completed"},
    {
        "op": "add",
        "path": "/output",
        "value": [{"type": {"text": "What was done"}, "valueString": "Assessment booked"}],
    },
]


@pytest.fixture
def world(make, register, client):  # type: ignore[no-untyped-def]
    world = story(make)
    world["api"] = register(world["practice"])
    world["headers"] = bearer(client, world["api"])
    return world


def patch(client, world, task_id, ops, version):  # type: ignore[no-untyped-def]
    headers = world["headers"] | {"Content-Type": "application/json-patch+json"}
    if version is not None:
        headers["If-Match"] = f'W/"{version}"'
    return client.patch(f"/fhir/R4/Task/{task_id}", json=ops, headers=headers)


def test_a_patch_at_the_current_version_closes_the_action(client, world, session):
    action = world["action"]
    response = patch(client, world, f"action-{action.id}", DONE, action.revision)
    assert response.status_code == 200, response.text
    body = valid(response.json)
    assert body["status"] == "completed" and body["output"][0]["valueString"] == "Assessment booked"
    session.refresh(action)
    assert action.status is ActionStatus.DONE and action.closing_note == "Assessment booked"
    assert response.headers["ETag"] == f'W/"{action.revision}"'


def test_a_stale_version_gets_412_and_the_newer_change_stays(client, world, session):
    action = world["action"]
    old = action.revision
    assert patch(client, world, f"action-{action.id}", DONE, old).status_code == 200
    cancel = [
        {"op": "replace", "path": "/status", "value": "cancelled"},
        {"op": "add", "path": "/statusReason", "value": {"text": "Not needed"}},
    ]
    stale = patch(client, world, f"action-{action.id}", cancel, old)
    assert stale.status_code == 412 and stale.json["resourceType"] == "OperationOutcome"
    session.refresh(action)
    assert action.status is ActionStatus.DONE and action.closing_note == "Assessment booked"


def test_without_if_match_nothing_changes(client, world, session):
    response = patch(client, world, f"action-{world['action'].id}", DONE, None)
    assert response.status_code == 428
    session.expire_all()
    assert session.get(ActionPoint, world["action"].id).status is ActionStatus.OPEN


def test_done_needs_what_was_done_and_cancelled_needs_why(client, world):
    action = world["action"]
    bare = [{"op": "replace", "path": "/status", "value": "completed"}]
    assert patch(client, world, f"action-{action.id}", bare, action.revision).status_code == 422
    cancel = [{"op": "replace", "path": "/status", "value": "cancelled"}]
    assert patch(client, world, f"action-{action.id}", cancel, action.revision).status_code == 422


def test_only_status_output_and_reason_can_be_patched(client, world):
    ops = [{"op": "replace", "path": "/description", "value": "Something else"}]
    response = patch(client, world, f"action-{world['action'].id}", ops, 1)
    assert response.status_code == 422


def test_a_put_of_the_task_completes_a_preparation(client, world, session):
    prep = world["case"].prep_requests[0]
    task = client.get(f"/fhir/R4/Task/prep-{prep.id}", headers=world["headers"]).json
    task["status"] = "completed"
    task["output"] = [{"type": {"text": "What was done"}, "valueString": "Known: weekly visits"}]
    headers = world["headers"] | {"If-Match": f'W/"{task["meta"]["versionId"]}"'}
    response = client.put(f"/fhir/R4/Task/prep-{prep.id}", json=task, headers=headers)
    assert response.status_code == 200, response.text
    session.expire_all()
    assert session.get(PrepRequest, prep.id).involvement == "Known: weekly visits"


def test_a_task_owned_in_another_organisation_cannot_be_closed(client, world, make):
    colleague = make.user()  # another organisation's member, owning an action on the case
    make.member(world["team"], colleague)
    theirs = make.action(world["case"], colleague)
    response = patch(client, world, f"action-{theirs.id}", DONE, theirs.revision)
    assert response.status_code == 403


def test_tasks_are_searched_by_owner_status_and_patient(client, world, make):
    other = make.action(
        world["case"],
        world["gp"],
        status=ActionStatus.DONE,
        closing_note="Done",
        closed_at=world["meeting"].starts_at,
    )
    query = (
        f"/fhir/R4/Task?code=action&owner={world['gp'].email}&status=requested"
        f"&patient=Patient/{world['patient'].id}"
    )
    body = valid(client.get(query, headers=world["headers"]).json)
    assert [e["resource"]["id"] for e in body["entry"]] == [f"action-{world['action'].id}"]
    done = client.get("/fhir/R4/Task?status=completed", headers=world["headers"]).json
    assert [e["resource"]["id"] for e in done["entry"]] == [f"action-{other.id}"]
