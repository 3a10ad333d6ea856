import re

import sqlalchemy as sa

from mdt.teams.models import Membership, Team, TeamRole
from tests.conftest import login, submit


def _team_form(**over):
    return {
        "name": "Riverside MDT",
        "description": "Complex care",
        "time_zone": "Europe/London",
        "default_location": "Meeting room 2",
        "default_video_link": "https://meet.example.org/riverside",
    } | over


def test_admin_creates_a_team_with_its_first_coordinator(client, make, session):
    admin, manager = make.admin(), make.user(name="Pat Manager")
    login(client, admin.email)
    response = submit(
        client,
        "/teams/new",
        _team_form(coordinator_id=str(manager.id), coordinator_discipline="Coordination"),
    )
    assert response.status_code == 302
    team = session.scalar(sa.select(Team).where(Team.name == "Riverside MDT"))
    assert [(m.user_id, m.role) for m in team.memberships] == [(manager.id, TeamRole.COORDINATOR)]


def test_coordinator_adds_a_social_worker_with_a_deputy(client, make, session):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    social_worker, deputy = make.user(name="Sam Social"), make.user(name="Dee Deputy")
    login(client, coordinator.email)
    response = submit(
        client,
        f"/teams/{team.id}/members/new",
        {
            "user_id": str(social_worker.id),
            "role": "core_member",
            "discipline": "Adult social care",
            "deputy_id": str(deputy.id),
        },
    )
    assert response.status_code == 302
    page = client.get(f"/teams/{team.id}").text
    assert "Sam Social" in page and "Deputy: Dee Deputy" in page
    membership = session.scalar(sa.select(Membership).where(Membership.user_id == social_worker.id))
    assert membership.discipline == "Adult social care" and membership.deputy_id == deputy.id


def test_a_person_cannot_deputise_for_themself_or_join_twice(client, make):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    person = make.user()
    login(client, coordinator.email)
    own = submit(
        client,
        f"/teams/{team.id}/members/new",
        {
            "user_id": person.id,
            "role": "core_member",
            "discipline": "Pharmacy",
            "deputy_id": person.id,
        },
    ).text
    assert "cannot be their own deputy" in own
    again = submit(
        client,
        f"/teams/{team.id}/members/new",
        {"user_id": coordinator.id, "role": "attendee", "discipline": "Pharmacy", "deputy_id": 0},
    ).text
    assert "is already in this team" in again


def test_the_last_coordinator_cannot_be_removed_or_demoted(client, make, session):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    membership = team.memberships[0]
    login(client, coordinator.email)
    submit(
        client,
        f"/teams/{team.id}/members/{membership.id}/remove",
        {},
        form_url=f"/teams/{team.id}",
    )
    assert "at least one coordinator" in client.get(f"/teams/{team.id}").text
    demote = submit(
        client,
        f"/teams/{team.id}/members/{membership.id}",
        {"role": "attendee", "discipline": "Coordination", "deputy_id": 0},
    ).text
    assert "at least one coordinator" in demote
    session.expire_all()
    assert session.get(Membership, membership.id).role is TeamRole.COORDINATOR


def test_unknown_time_zone_and_bad_link_are_explained_and_kept(client, make, session):
    coordinator = make.user()
    team = make.team(coordinator=coordinator, name="Tz Team")
    login(client, coordinator.email)
    page = submit(
        client,
        f"/teams/{team.id}/settings",
        _team_form(name="Tz Team", time_zone="Europe/Londn", default_video_link="meet dot com"),
    ).text
    assert "There is a problem" in page
    assert "Europe/Londn is not a time zone" in page
    assert "starting with https://" in page
    assert 'value="Europe/Londn"' in page
    session.expire_all()
    assert session.get(Team, team.id).time_zone == "Europe/London"


def test_two_coordinators_saving_settings_the_second_is_refused(client, make, app, session):
    first, second = make.user(), make.user()
    team = make.team(coordinator=first, name="Shared")
    make.member(team, second, role=TeamRole.COORDINATOR, discipline="Coordination")
    other = app.test_client()
    login(client, first.email)
    login(other, second.email)
    url = f"/teams/{team.id}/settings"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', other.get(url).text)[1]
    assert (
        submit(client, url, _team_form(name="Shared", description="First", revision=1)).status_code
        == 302
    )
    page = other.post(
        url, data=_team_form(name="Shared", description="Second", revision=1, csrf_token=token)
    ).text
    assert "Someone else changed these details" in page
    assert "Second" in page
    session.expire_all()
    assert session.get(Team, team.id).description == "First"


def test_members_see_colleagues_contact_details_but_cannot_manage(client, make):
    team = make.team()
    member = make.member(team, make.user(phone="07700 900555", how_to_reach="Not Fridays")).user
    login(client, member.email)
    page = client.get(f"/teams/{team.id}").text
    assert "07700 900555" in page and "Not Fridays" in page
    assert "Add a member" not in page
    assert client.get(f"/teams/{team.id}/settings").status_code == 403


def test_a_time_zone_calendar_apps_cannot_follow_is_refused(client, make):
    coordinator = make.user()
    team = make.team(coordinator=coordinator, name="Far Team")
    login(client, coordinator.email)
    page = submit(
        client,
        f"/teams/{team.id}/settings",
        _team_form(name="Far Team", time_zone="Africa/Casablanca"),
    ).text
    assert "calendar apps cannot follow" in page
