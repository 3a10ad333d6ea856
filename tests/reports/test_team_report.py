"""A coordinator reads how well their MDT worked from January to June 2027: every figure is
worked out by hand below from the known team in support.py, on the page and in the CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
import time_machine

from tests.conftest import login
from tests.dates import boxes, shown, shows_date
from tests.reports.support import NOW, PERIOD, known_team

pytestmark = pytest.mark.usefixtures("frozen")


@pytest.fixture
def frozen():  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def known(make, session):  # type: ignore[no-untyped-def]
    return known_team(make, session)


def _page(client, known, **args: str) -> str:  # type: ignore[no-untyped-def]
    response = client.get(f"/teams/{known.team.id}/report", query_string=args or PERIOD)
    assert response.status_code == 200
    return response.text


def _csv(client, known) -> dict[tuple[str, str], tuple[str, str, str]]:  # type: ignore[no-untyped-def]
    response = client.get(f"/teams/{known.team.id}/report.csv", query_string=PERIOD)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.text)))
    assert rows[0] == ["Measure", "Group", "Value", "Out of", "Percent"]
    return {(r[0], r[1]): (r[2], r[3], r[4]) for r in rows[1:]}


def _cell(page: str, attribute: str, value: str) -> str:
    """The text of the element carrying data-<attribute>="value", tags removed."""
    match = re.search(rf'data-{attribute}="{re.escape(value)}"[^>]*>(.*?)</(?:dd|tr)>', page, re.S)
    assert match, f"no data-{attribute}={value}"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match[1])).strip()


# Worked out by hand: four meetings count (m1-m4: m4 was never closed but has attendance;
# m5 was cancelled, m6 has no attendance, m0 is in December).
EXPECTED_CSV = {
    ("Meetings counted", ""): ("4", "", ""),
    # Core members' own attendance: Gita 4, Tom 1, Sam 3, Jo 1, Rachel 1 of 4 each.
    ("Core attendance", "All core members"): ("10", "20", "50.0"),
    # A discipline is covered when a member or their cover attended: Ben covered community
    # nursing twice for Jo, Maria adult social care once for Sam.
    ("Attendance by discipline", "General practice"): ("4", "4", "100.0"),
    ("Attendance by discipline", "Adult social care"): ("4", "4", "100.0"),
    ("Attendance by discipline", "Community nursing"): ("3", "4", "75.0"),
    ("Attendance by discipline", "Palliative care"): ("1", "4", "25.0"),
    ("Attendance by person", "Dr Gita Patel"): ("4", "4", "100.0"),
    ("Attendance by person", "Dr Tom Okafor"): ("1", "4", "25.0"),
    ("Attendance by person", "Sam Whitfield"): ("3", "4", "75.0"),
    ("Attendance by person", "Jo Clarke"): ("1", "4", "25.0"),
    ("Attendance by person", "Dr Rachel Green"): ("1", "4", "25.0"),
    ("Attendance by person", "Cora Coordinator"): ("3", "4", "75.0"),
    ("Attendance by person", "Fatima Begum"): ("1", "4", "25.0"),
    # Eight requests due January to June; on time: Gita twice, Sam in February (a minute
    # early), Jo in February, Tom at the deadline itself.
    ("Preparation on time", "All"): ("5", "8", "62.5"),
    ("Preparation on time by discipline", "General practice"): ("3", "3", "100.0"),
    ("Preparation on time by discipline", "Adult social care"): ("1", "3", "33.3"),
    ("Preparation on time by discipline", "Community nursing"): ("1", "2", "50.0"),
    ("Preparation on time by person", "Dr Gita Patel"): ("2", "2", "100.0"),
    ("Preparation on time by person", "Dr Tom Okafor"): ("1", "1", "100.0"),
    ("Preparation on time by person", "Sam Whitfield"): ("1", "3", "33.3"),
    ("Preparation on time by person", "Jo Clarke"): ("1", "2", "50.0"),
    # Outcomes: plan, defer, not reached (m1); refer on, no further action (m2); plan (m3).
    ("Cases discussed", ""): ("5", "", ""),
    ("Cases deferred", ""): ("1", "", ""),
    ("Cases rolled forward", ""): ("1", "", ""),
    # Six actions created in the period: three done (in 7, 13 and 7 days; two by their due
    # date), one cancelled, one open and overdue, one open and not yet due.
    ("Actions created", ""): ("6", "", ""),
    ("Actions done", ""): ("3", "", ""),
    ("Actions cancelled", ""): ("1", "", ""),
    ("Actions closed on time", ""): ("2", "4", "50.0"),
    ("Median days to close", ""): ("7", "", ""),
    # The overdue one from February and December's (created before the period).
    ("Actions overdue now", ""): ("2", "", ""),
    # m1's minutes two days late; m2 next day; m3's on the Tuesday after Easter (on time:
    # Good Friday and Easter Monday are not working days); m4's never sent.
    ("Minutes sent within 1 working day", ""): ("2", "4", "50.0"),
    # m3 was booked outside protected time.
    ("Meetings in protected time", ""): ("3", "4", "75.0"),
    ("Core attendance by month", "2027-01"): ("3", "5", "60.0"),
    ("Core attendance by month", "2027-02"): ("3", "5", "60.0"),
    ("Core attendance by month", "2027-03"): ("3", "5", "60.0"),
    ("Core attendance by month", "2027-04"): ("1", "5", "20.0"),
    ("Core attendance by month", "2027-05"): ("0", "0", ""),
    ("Core attendance by month", "2027-06"): ("0", "0", ""),
    ("Preparation on time by month", "2027-01"): ("1", "3", "33.3"),
    ("Preparation on time by month", "2027-02"): ("3", "3", "100.0"),
    ("Preparation on time by month", "2027-03"): ("0", "0", ""),
    ("Preparation on time by month", "2027-04"): ("1", "2", "50.0"),
}


def test_every_figure_in_the_csv_is_the_one_worked_out_by_hand(client, known):
    login(client, "cora@reports.example.org")
    figures = _csv(client, known)
    assert figures[("Period from", "")][0] == "2027-01-01"
    assert figures[("Period to", "")][0] == "2027-06-30"
    wrong = {key: (figures.get(key), want) for key, want in EXPECTED_CSV.items()}
    assert {k: v for k, v in wrong.items() if v[0] != v[1]} == {}
    # Nobody else: covers and people with nothing recorded have no row of their own.
    people = {group for measure, group in figures if measure == "Attendance by person"}
    assert people == {g for m, g in EXPECTED_CSV if m == "Attendance by person"}


def test_the_page_shows_the_same_figures(client, known):
    login(client, "cora@reports.example.org")
    page = _page(client, known)
    assert _cell(page, "measure", "core-attendance").startswith("50% (10 of 20) Below 2/3")
    assert _cell(page, "measure", "disciplines-below") == "Palliative care"
    assert _cell(page, "measure", "prep") == "62% (5 of 8)"  # 62.5 rounds to even
    assert _cell(page, "measure", "actions-on-time") == "50% (2 of 4)"
    assert _cell(page, "measure", "minutes") == "50% (2 of 4)"
    assert _cell(page, "measure", "protected") == "75% (3 of 4)"
    assert _cell(page, "measure", "discussed") == "5"
    assert _cell(page, "measure", "deferred") == "1"
    assert _cell(page, "measure", "rolled-forward") == "1"
    assert _cell(page, "measure", "actions-created") == "6"
    assert _cell(page, "measure", "actions-done").startswith("3 (1 cancelled)")
    assert _cell(page, "measure", "median-days") == "7"
    assert _cell(page, "measure", "overdue-now") == "2"
    assert "Community nursing 75% (3 of 4)" in _cell(page, "discipline", "Community nursing")
    assert "4 meetings counted" in page
    assert not re.search(r"Patient \d", page)  # no patient is named


def test_a_core_member_below_two_thirds_is_highlighted_and_a_deputy_counts_for_the_discipline(
    client, known
):
    login(client, "cora@reports.example.org")
    page = _page(client, known)
    jo, sam = known.people["jo"], known.people["sam"]
    # Jo sent apologies three times; Ben covered two of them: the discipline was there, Jo
    # was not.
    assert _cell(page, "person", str(jo.id)) == (
        "Jo Clarke Community nursing Core member 25% (1 of 4) Below 2/3 2"
    )
    assert _cell(page, "discipline", "Community nursing") == "Community nursing 75% (3 of 4)"
    assert re.search(rf'data-person="{jo.id}" class="app-below"', page)
    # Sam's cover does not lift Sam's own attendance (3 of 4 is above 2/3 anyway).
    assert _cell(page, "person", str(sam.id)).endswith("75% (3 of 4) 1")
    assert not re.search(rf'data-person="{sam.id}" class="app-below"', page)
    # The covers are not members and have no row; an attendee below 2/3 is not highlighted.
    assert "Ben Hughes" not in page and "Maria Lopez" not in page
    fatima = known.people["fatima"]
    assert "Below 2/3" not in _cell(page, "person", str(fatima.id))


def test_the_charts_are_svg_with_titles_descriptions_and_tables(client, known):
    login(client, "cora@reports.example.org")
    page = _page(client, known)
    for chart in ("trend", "by-discipline", "prep-by-discipline"):
        svg = re.search(rf'<svg[^>]*id="chart-{chart}".*?</svg>', page, re.S)
        assert svg, chart
        assert 'role="img"' in svg[0]
        assert f'<title id="chart-{chart}-title">' in svg[0]
        assert f'<desc id="chart-{chart}-desc">' in svg[0]
        assert "style=" not in svg[0]  # the Content-Security-Policy allows no inline style
    bars = re.search(r'<svg[^>]*id="chart-by-discipline".*?</svg>', page, re.S)[0]
    # Palliative care, 25% of 330 pixels, drawn in the "below" colour.
    assert 'class="app-chart__bar app-chart__bar--below" x="170" y="124" width="82.5"' in bars
    trend = re.search(r'<svg[^>]*id="chart-trend".*?</svg>', page, re.S)[0]
    assert "By month, Jan 2027 to Jun 2027: core attendance ranged from 20% to 60%" in trend
    assert trend.count("<circle") == 4 + 1  # four months with attendance, and the legend
    assert 'id="table-trend"' in page and 'id="table-disciplines"' in page


def test_the_period_defaults_to_the_last_twelve_months(client, known):
    login(client, "cora@reports.example.org")
    page = client.get(f"/teams/{known.team.id}/report").text
    assert shows_date(page, "date_from", "2026-08-01")
    assert shows_date(page, "date_to", "2027-07-15")
    # December's meeting is in it now: five meetings.
    assert "5 meetings counted" in page


def test_a_wrong_period_is_shown_the_nhs_way_and_what_was_typed_is_kept(client, known):
    login(client, "cora@reports.example.org")
    page = _page(client, known, date_from="2027-06-30", date_to="2027-01-01")
    assert "There is a problem" in page
    assert "date must be the same as or after the" in page
    assert shows_date(page, "date_from", "2027-06-30")
    assert shows_date(page, "date_to", "2027-01-01")
    assert "meetings counted" not in page
    typed = boxes("date_from", "30", "6", "27") | boxes("date_to", "1", "7", "2027")
    page = _page(client, known, **typed)
    assert "&#39;From&#39; date must include a year with 4 numbers" in page
    assert shown(page, "date_from") == ("30", "6", "27")
    csv_response = client.get(
        f"/teams/{known.team.id}/report.csv", query_string={"date_from": "nonsense"}
    )
    assert csv_response.mimetype == "text/html" and "There is a problem" in csv_response.text


def test_the_team_page_links_to_the_report_for_those_who_may_see_it(client, known):
    login(client, "cora@reports.example.org")
    assert f'href="/teams/{known.team.id}/report"' in client.get(f"/teams/{known.team.id}").text
    client.post("/logout")
    login(client, "fatima@reports.example.org")  # an attendee
    assert "/report" not in client.get(f"/teams/{known.team.id}").text
    assert client.get(f"/teams/{known.team.id}/report").status_code == 403
    assert client.get(f"/teams/{known.team.id}/report.csv").status_code == 403


def test_a_core_member_and_a_chair_may_read_it(client, known):
    for who in ("tom", "gita"):
        login(client, f"{who}@reports.example.org")
        assert client.get(f"/teams/{known.team.id}/report").status_code == 200
        client.post("/logout")
