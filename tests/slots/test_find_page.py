"""The Find a slot page: the demo's Riverside gets distinct proposals that say who clashes,
"Use this" (on a proposal or a variant) still fills in the series form, and the page runs
the same number of queries for a small team as for a large one."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, time
from urllib.parse import parse_qsl

import sqlalchemy as sa
import time_machine

from mdt.demo.data import DEMO_PASSWORD, load_demo
from mdt.extensions import db
from mdt.slots.models import SlotSeries
from mdt.teams.models import Team
from tests.conftest import login, submit
from tests.queries import count_queries

NOW = datetime(2029, 10, 15, 9, 0, tzinfo=UTC)
ALEX = "alex.morgan@riverside-surgery.example.org"
WINDOW = "earliest=09:00&latest_end=17:00&minutes=60&kind=monthly"
HEADING = re.compile(r'<h3 class="nhsuk-card__heading[^"]*">(\d+)\. ([^<]+)</h3>')
CARD = re.compile(
    r'<li class="nhsuk-card app-proposal".*?</li>\s*(?=<li class="nhsuk-card|</ol>)', re.S
)
USE = re.compile(r'href="(/teams/\d+/slots/new\?[^"]+)"')


def proposals(page: str) -> list[tuple[str, str]]:
    """(heading, card text) per proposal, best first."""
    cards = CARD.findall(page)
    return [
        (html.unescape(HEADING.search(c)[2]), " ".join(html.unescape(c).split())) for c in cards
    ]


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def test_riverside_on_the_demo_gets_distinct_proposals_that_name_who_clashes(app, client):
    with time_machine.travel(NOW, tick=False):
        with app.app_context():
            load_demo()
            team_id = db.session.scalar(sa.select(Team.id).where(Team.name.like("Riverside%")))
        login(client, ALEX, DEMO_PASSWORD)
        weekdays = "".join(f"&weekdays={d}" for d in range(5))
        everyday = client.get(f"/teams/{team_id}/slots/find?{WINDOW}{weekdays}")
        tuesdays = client.get(f"/teams/{team_id}/slots/find?{WINDOW}&weekdays=1").text
        thursdays = client.get(f"/teams/{team_id}/slots/find?{WINDOW}&weekdays=3").text
    found = proposals(everyday.text)
    assert len(found) == 5
    days_and_times = [heading.rsplit(", ", 1) for heading, _ in found]
    for i, (day, times) in enumerate(days_and_times):
        for other_day, other_times in days_and_times[i + 1 :]:
            gap = abs(_minutes(times[:5]) - _minutes(other_times[:5]))
            assert day != other_day or gap > 60, (day, times, other_times)
    assert len({day for day, _ in days_and_times}) == 5
    assert "Also possible: " in found[0][1]
    # Tuesdays: the best is 12:30, between the morning and afternoon surgeries, and nobody clashes.
    best_tuesday, card = proposals(tuesdays)[0]
    assert best_tuesday.endswith("12:30 to 13:30")
    assert "Best: everyone is free at every meeting." in card
    assert "Nobody clashes" in card
    # Thursdays: the social worker is on the duty desk all day; the deputy covers.
    for _heading, card in proposals(thursdays):
        assert re.search(r"Sam Whitfield clashes at all \d+ meetings \(Duty desk\)", card)
        assert "Nobody free for Adult social care" not in card
        assert re.search(
            r"Adult social care only through the deputy \(Maria Lopez\) at all \d+ meetings", card
        )


def test_use_this_on_a_proposal_or_a_variant_fills_in_the_series_form(client, make, session):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    login(client, coordinator.email)
    query = "weekdays=1&weekdays=3&earliest=12:00&latest_end=14:30&minutes=90&kind=monthly"
    page = client.get(f"/teams/{team.id}/slots/find?{query}").text
    assert page.count(">Use this<") == 5
    best, card = proposals(page)[0]
    links = [html.unescape(link) for link in USE.findall(card)]
    # The variants' links come first (inside "Also possible"), then the proposal's own.
    variant, own = links[0], links[-1]
    form = client.get(own).text
    assert 'value="12:00"' in form and 'value="90"' in form
    assert 'value="12:15"' in client.get(variant).text
    path, query = own.split("?", 1)
    response = submit(client, path, dict(parse_qsl(query)), form_url=own)
    assert response.status_code == 302
    saved = session.scalar(sa.select(SlotSeries).where(SlotSeries.team_id == team.id))
    assert saved.start_time == time(12, 0) and saved.duration_minutes == 90
    assert best.startswith(saved.rule.describe())


def _team_of(make, size: int):  # type: ignore[no-untyped-def]
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    disciplines = ["General practice", "Adult social care", "Community nursing"]
    for n in range(size):
        member = make.member(
            team, make.user(), discipline=disciplines[n % 3], deputy=make.user()
        ).user
        make.recurring(member, "Clinic", weekday=n % 5, start_time=time(9, 0), end_time=time(13, 0))
        make.recurring(
            member, "Visits", weekday=(n + 2) % 5, start_time=time(13, 0), end_time=time(17, 0)
        )
    make.series(team)
    return team, coordinator


def test_find_a_slot_runs_the_same_queries_for_a_team_of_3_as_of_30(app, make):
    counts = {}
    for size in (3, 30):
        team, coordinator = _team_of(make, size)
        client = app.test_client()
        login(client, coordinator.email)
        url = f"/teams/{team.id}/slots/find?weekdays=1&weekdays=3&{WINDOW}"
        client.get(url)  # warm up (first-request work such as the session)
        with count_queries(app) as statements:
            page = client.get(url)
        assert page.status_code == 200 and len(proposals(page.text)) == 5
        counts[size] = len(statements)
    # The session's user, the team with its members, their commitments, its protected time.
    assert counts == {3: 4, 30: 4}
