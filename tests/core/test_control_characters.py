"""Control characters typed or pasted into any form are refused with an NHS.UK error and the
text stays in the field (issue 20, item 14): NUL would otherwise reach PostgreSQL, which
refuses it with an error (a 500), and escape codes were stored in a team's name."""

from __future__ import annotations

import pytest

from mdt.teams.models import Team
from tests.conftest import login, submit
from tests.core.test_escaping import _clients
from tests.form_pages import crawl
from tests.test_route_inventory import world  # noqa: F401 - the inventory's world

REFUSED = "contains control characters"
CHOICES = ("radio", "checkbox", "select", "button")


@pytest.fixture
def admin_client(app, make):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, make.admin().email)
    return client


def _settings(client, team, **changes):  # type: ignore[no-untyped-def]
    data = {"name": team.name, "time_zone": "Europe/London", "description": ""} | changes
    return submit(client, f"/teams/{team.id}/settings", data)


@pytest.mark.parametrize(
    "name", ["abc\x00def", "Riverside \x1b[31mMDT\x1b[0m", "Tab\tin a name", "C1 \x85 next line"]
)
def test_a_team_name_with_control_characters_is_refused(admin_client, make, session, name):
    team = make.team(name="Riverside")
    response = _settings(admin_client, team, name=name)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page and f"Team name {REFUSED}" in page
    assert 'value="' + name.split("\x00")[0] in page  # what was typed is still there
    session.expire_all()
    assert session.get(Team, team.id).name == "Riverside"


def test_free_text_keeps_its_tabs_and_line_breaks(admin_client, make, session):
    team = make.team()
    description = "First line\r\n\tindented second line\nthird"
    response = _settings(admin_client, team, description=description)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    session.expire_all()
    assert "\tindented second line" in session.get(Team, team.id).description


def test_free_text_refuses_nul_and_escape(admin_client, make):
    team = make.team()
    page = _settings(admin_client, team, description="Notes\x00 and \x1b[2J").text
    assert f"Description {REFUSED}" in page


@pytest.mark.parametrize(
    "path",
    [
        "/patients/?q=ab%00c",
        "/directory/?q=%1b%5b31m",
        "/teams/{team_id}/actions?person=a%00b",
        "/audit/?patient=%00",
        "/teams/{team_id}/report?date_from=2026-01-01%00",
    ],
)
def test_a_search_with_control_characters_is_refused(app, world, path):  # noqa: F811
    client = app.test_client()
    login(client, world["emails"]["admin" if path.startswith("/audit") else "coordinator"])
    response = client.get(path.format(**world["ids"]))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "There is a problem" in page and REFUSED in page


def test_every_form_refuses_control_characters_in_every_field(app, world):  # noqa: F811
    clients = _clients(app, world)
    found = crawl(app, clients, world["ids"])
    checked = 0
    for role, form in found.forms.values():
        typed = [n for n, kind in form.fields.items() if kind not in CHOICES]
        if not typed:
            continue  # choices only: a value not offered is refused as such
        values = dict.fromkeys(typed, "ab\x00c\x1b[1m")
        response = form.post(clients[role], values)
        where = f"{role} {form.method} {form.action}"
        assert response.status_code < 500, where
        assert REFUSED in response.get_data(as_text=True), where
        checked += 1
    assert checked > 25
