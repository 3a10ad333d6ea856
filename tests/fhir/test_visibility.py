"""A client sees what its organisation's people may see (mdt.patients.access), like the
web route inventory: each organisation against each resource about the patient."""

from __future__ import annotations

import pytest

from mdt.meetings.models import Invitation
from tests.fhir.conftest import bearer
from tests.fhir.test_api import discussed, story

SEEN, HIDDEN = 200, 404
RESOURCES = ("ServiceRequest/{case}", "Task/action-{action}", "Task/prep-{prep}", "CarePlan/{plan}")

#: organisation: what its client gets for each of RESOURCES
MATRIX = {
    # its GP is a member of the team: the team's cases, their prep, actions and outcomes
    "member": (SEEN, SEEN, SEEN, SEEN),
    # its nurse owns an action on the case (not on the team): the case, its prep and actions
    "action owner": (SEEN, SEEN, SEEN, HIDDEN),
    # its nurse is the named cover for the GP at the meeting to come: that meeting's cases
    "named cover": (SEEN, SEEN, SEEN, HIDDEN),
    # the patient is registered there, nobody is on the team: not the team's cases, but
    # the outcomes, to take into the GP record
    "registered practice": (HIDDEN, HIDDEN, HIDDEN, SEEN),
    # the same, for a patient who objects: nothing leaves
    "registered practice, patient objects": (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    "unrelated": (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
    # the team's own organisation, for a patient who objects: nothing leaves
    "member, patient objects": (HIDDEN, HIDDEN, HIDDEN, HIDDEN),
}


@pytest.mark.parametrize("who", MATRIX)
def test_a_client_sees_only_what_its_organisations_people_may_see(client, make, register, who):
    world = story(make)
    plan = discussed(make, world)
    if who == "action owner":
        org = make.organisation()
        nurse = make.user(organisation=org)
        make.action(world["case"], nurse)
    elif who == "named cover":
        org = make.organisation()
        cover = make.user(organisation=org)
        make.session.add(
            Invitation(
                meeting_id=world["meeting"].id,
                user_id=cover.id,
                discipline="General practice",
                covering_for_id=world["gp"].id,
            )
        )
        make.session.commit()
    elif who.startswith("registered practice"):
        org = make.organisation()  # nobody works there: the client acts for the practice
        world["patient"].registered_practice_id = org.id
        world["patient"].objects_to_sharing = who.endswith("objects")
        make.session.commit()
    elif who == "unrelated":
        org = make.organisation()
    else:
        org = world["practice"]
        if who == "member, patient objects":
            world["patient"].objects_to_sharing = True
            make.session.commit()
    headers = bearer(client, register(org))
    ids = {
        "case": world["case"].id,
        "action": world["action"].id,
        "prep": world["case"].prep_requests[0].id,
        "plan": plan.id,
    }
    got = tuple(
        client.get(f"/fhir/R4/{path.format(**ids)}", headers=headers).status_code
        for path in RESOURCES
    )
    assert got == MATRIX[who]
    for search, wanted, column in (("ServiceRequest", ids["case"], 0), ("CarePlan", plan.id, 3)):
        searched = client.get(f"/fhir/R4/{search}", headers=headers).json
        listed = {e["resource"]["id"] for e in searched.get("entry", [])}
        assert (str(wanted) in listed) == (MATRIX[who][column] == SEEN), search
