"""The API's searches run as many SQL statements for a page built from a few rows as for one
from many times as many: no query per row (tests/queries.py counts them, as for the web pages)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mdt.meetings.models import MeetingStatus
from mdt.minutes.models import Discussion, Outcome
from tests.fhir.conftest import bearer
from tests.queries import count_queries

#: Statements per search at any size: the token (with its client), the organisation's
#: people, the count, the page (its related rows joined in), one more for what a page's
#: rows share (a meeting's invitations, the actions of the outcomes), then for patient
#: data the audit chain's head and its rows (one INSERT for the page).
EXPECTED = {
    "Appointment": 5,
    "ServiceRequest": 6,
    "Task (actions)": 6,
    "Task (preparation)": 6,
    "CarePlan": 7,
}
SEARCHES = {
    "Appointment": "/fhir/R4/Appointment?_count=100",
    "ServiceRequest": "/fhir/R4/ServiceRequest?_count=100",
    "Task (actions)": "/fhir/R4/Task?code=action&_count=100",
    "Task (preparation)": "/fhir/R4/Task?code=prepare&_count=100",
    "CarePlan": "/fhir/R4/CarePlan?_count=100",
}


def _scene(make, size: int):  # type: ignore[no-untyped-def]
    """A practice whose GP sits on a team with `size` other members (all invited to the
    meeting to come), `size` cases on its agenda, each with preparation and an action, and
    `size` cases discussed at a held meeting, each with an outcome and two actions."""
    practice = make.organisation()
    gp = make.user(organisation=practice)
    team = make.team(coordinator=make.user())
    make.member(team, gp)
    members = [make.member(team, make.user(name=f"Member {n}")).user for n in range(size)]
    meeting = make.meeting(team)
    held = datetime(2026, 11, 10, 12, 30, tzinfo=UTC)
    past = make.meeting(
        team,
        starts_at=held,
        ends_at=held + timedelta(hours=1),
        status=MeetingStatus.HELD,
        minutes_sent_at=held + timedelta(hours=2),
    )
    for n, member in enumerate(members):
        case = make.case(meeting, make.patient(), gp, member, position=n + 1)
        make.action(case, member)
        done = make.case(past, make.patient(), position=n + 1)
        make.session.add(
            Discussion(meeting_id=past.id, case_id=done.id, outcome=Outcome.PLAN_AGREED)
        )
        make.action(done, gp)
        make.action(done, member)
    make.session.commit()
    return practice


def _statements(app, client, make, register, size: int, path: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    headers = bearer(client, register(_scene(make, size)))
    client.get(path, headers=headers)  # warm up
    with count_queries(app) as statements:
        response = client.get(path, headers=headers)
    assert response.status_code == 200, response.text
    return len(statements), _rows(response.json)


def _rows(bundle) -> int:  # type: ignore[no-untyped-def]
    """The rows behind a page: its resources, their participants and their activities."""
    return sum(
        1 + len(e["resource"].get("participant", [])) + len(e["resource"].get("activity", []))
        for e in bundle.get("entry", [])
    )


@pytest.mark.parametrize("name", list(SEARCHES))
def test_a_search_runs_as_many_queries_for_ten_times_the_rows(app, client, make, register, name):
    small, small_rows = _statements(app, client, make, register, 3, SEARCHES[name])
    large, large_rows = _statements(app, client, make, register, 30, SEARCHES[name])
    assert large_rows > 4 * small_rows > 0, (small_rows, large_rows)
    assert large == small, f"{name}: {small} statements for {small_rows}, {large} for {large_rows}"
    assert small == EXPECTED[name], f"{name}: {small} statements"
