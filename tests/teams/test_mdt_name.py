"""Text about a team's meetings names the team as an MDT once: most teams are called
"... MDT" already, and emails read "Riverside Neighbourhood MDT MDT meeting" (issue 20)."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

import pytest

from tests.conftest import login, submit


@pytest.mark.parametrize(
    ("name", "as_mdt"),
    [
        ("Riverside Neighbourhood MDT", "Riverside Neighbourhood MDT"),
        ("Oakfield", "Oakfield MDT"),
        ("riverside mdt", "riverside mdt"),
        ("MDT (North)", "MDT (North)"),
        ("Riverside MDTs hub", "Riverside MDTs hub MDT"),
        ("Frailty MDT-North", "Frailty MDT-North"),
    ],
)
def test_a_team_name_gets_mdt_only_when_it_has_not_got_it(name, as_mdt):
    from mdt.teams.models import mdt_name

    assert mdt_name(name) == as_mdt


@pytest.mark.parametrize(
    ("team_name", "says"),
    [
        ("Riverside Neighbourhood MDT", "The Riverside Neighbourhood MDT meeting is booked"),
        ("Oakfield Frailty", "The Oakfield Frailty MDT meeting is booked"),
    ],
)
def test_the_booking_email_names_the_team_as_an_mdt_once(client, make, app, team_name, says):
    coordinator = make.user()
    team = make.team(coordinator=coordinator, name=team_name)
    login(client, coordinator.email)
    form = {
        "date": "2027-01-14",
        "start_time": "15:00",
        "end_time": "16:00",
        "reason": "Urgent",
    }
    assert submit(client, f"/teams/{team.id}/meetings/new", form).status_code == 302
    [sent] = Path(app.config["MAIL_FOLDER"]).glob("*.eml")
    message = email.message_from_bytes(sent.read_bytes(), policy=policy.default)
    body = message.get_body(("plain",)).get_content()
    assert says in body and "MDT MDT" not in body
