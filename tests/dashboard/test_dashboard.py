"""The dashboard: what the person owes, and their teams with their part in each."""

from __future__ import annotations

import re

from mdt.teams.models import TeamRole
from tests.conftest import login


def test_a_member_of_several_teams_sees_each_by_name_with_their_role(client, make):
    sam = make.user(name="Sam Whitfield")
    north = make.team(name="North Locality MDT")
    east = make.team(name="East Frailty MDT", coordinator=sam)
    make.member(north, sam, role=TeamRole.CHAIR, discipline="Adult social care")
    make.team(name="Another team, not Sam's")
    login(client, sam.email)
    page = client.get("/dashboard").text
    teams = page.split("Your teams")[1].split("</ul>")[0]
    rows = [" ".join(re.sub(r"<[^>]+>", " ", li).split()) for li in teams.split("<li>")[1:]]
    assert rows == [
        "East Frailty MDT – Coordinator, Coordination",
        "North Locality MDT – Chair, Adult social care",
    ]
    assert f'href="/teams/{east.id}"' in teams and f'href="/teams/{north.id}"' in teams


def test_someone_in_no_team_is_told_how_to_join_one(client, make):
    login(client, make.user().email)
    assert "You are not in any team yet" in client.get("/dashboard").text
