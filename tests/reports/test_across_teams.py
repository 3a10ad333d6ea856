"""An administrator compares every team; reports of busy teams take a fixed number of queries."""

from __future__ import annotations

import csv
import io

import pytest
import time_machine

from tests.conftest import login
from tests.queries import count_queries
from tests.reports.support import NOW, PERIOD, busy_team, known_team

THREE_YEARS = {"date_from": "2024-07-15", "date_to": "2027-07-15"}


@pytest.fixture(autouse=True)
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


def _queries(app, client, url: str, args: dict[str, str]) -> int:  # type: ignore[no-untyped-def]
    with count_queries(app) as statements:
        response = client.get(url, query_string=args)
    assert response.status_code == 200
    return len(statements)


def test_a_busy_teams_three_years_take_the_same_queries_at_tenfold_the_data(
    app, client, make, session
):
    small, big = busy_team(make, session, 4), busy_team(make, session, 40)
    admin = make.admin(email="admin@reports.example.org")
    login(client, admin.email)
    counts = {
        name: _queries(app, client, f"/teams/{team.id}/report", THREE_YEARS)
        for name, team in (("small", small), ("big", big))
    }
    assert counts["small"] == counts["big"] <= 10, counts
    page = client.get(f"/teams/{big.id}/report", query_string=THREE_YEARS).text
    assert "40 meetings counted" in page
    csv_counts = {
        team.id: _queries(app, client, f"/teams/{team.id}/report.csv", THREE_YEARS)
        for team in (small, big)
    }
    assert len(set(csv_counts.values())) == 1, csv_counts


def test_across_teams_takes_the_same_queries_for_two_teams_or_twenty(app, client, make, session):
    admin = make.admin(email="admin@reports.example.org")
    login(client, admin.email)
    for n in range(2):
        busy_team(make, session, 2 + n)
    few = _queries(app, client, "/reports/teams", THREE_YEARS)
    for n in range(18):
        busy_team(make, session, 1 + n % 3)
    many = _queries(app, client, "/reports/teams", THREE_YEARS)
    assert few == many <= 10, (few, many)
    assert _queries(app, client, "/reports/teams.csv", THREE_YEARS) <= 10


def test_an_administrator_sees_every_team_side_by_side_and_downloads_them(client, make, session):
    known = known_team(make, session)
    other = make.team(name="Quiet MDT")
    login(client, make.admin(email="admin@reports.example.org").email)
    page = client.get("/reports/teams", query_string=PERIOD).text
    assert "Known MDT" in page and "Quiet MDT" in page
    assert (
        f'href="/teams/{known.team.id}/report?date_from=2027-01-01&amp;date_to=2027-06-30"' in page
    )
    rows = list(
        csv.DictReader(io.StringIO(client.get("/reports/teams.csv", query_string=PERIOD).text))
    )
    by_team = {row["Team"]: row for row in rows}
    assert set(by_team) == {"Known MDT", "Quiet MDT"}
    assert by_team["Known MDT"] == {
        "Team": "Known MDT",
        "Meetings counted": "4",
        "Core attendance %": "50.0",
        "Disciplines below 2/3": "1",
        "Preparation on time %": "62.5",
        "Cases discussed": "5",
        "Cases deferred": "1",
        "Cases rolled forward": "1",
        "Actions created": "6",
        "Actions closed on time %": "50.0",
        "Median days to close": "7",
        "Actions overdue now": "2",
        "Minutes within 1 working day %": "50.0",
        "Meetings in protected time %": "75.0",
    }
    assert by_team["Quiet MDT"]["Meetings counted"] == "0"
    assert by_team["Quiet MDT"]["Core attendance %"] == ""
    # An administrator who is in neither team may read a team's report (counts only).
    assert client.get(f"/teams/{other.id}/report").status_code == 200
    assert 'href="/reports/teams"' in page  # in the navigation


def test_reports_show_only_the_teams_a_person_may_see(client, make, session):
    known = known_team(make, session)
    other = make.team(name="Elsewhere MDT")
    login(client, "cora@reports.example.org")
    assert client.get(f"/teams/{other.id}/report").status_code == 404
    assert client.get(f"/teams/{other.id}/report.csv").status_code == 404
    assert client.get("/reports/teams").status_code == 403
    assert client.get("/reports/teams.csv").status_code == 403
    assert 'href="/reports/teams"' not in client.get(f"/teams/{known.team.id}").text
