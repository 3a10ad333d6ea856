"""Meeting mode, the minutes, matters arising and the action lists run the same number of
SQL statements for a small meeting as for one ten times the size: no query per row."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine

from tests.conftest import login
from tests.minutes.support import DURING, all_present, scene
from tests.queries import count_queries

#: Statements per request at any size (the budget is 12), each counted from the session's
#: user to the audit insert.
#: A page that shows patients runs one statement more than before the audit chain: its audit
#: rows first lock the chain's head (SELECT ... FOR UPDATE; mdt.audit.operations.append).
EXPECTED = {
    "meeting mode": 10,
    "matters arising in meeting mode": 9,
    "agenda with matters arising": 8,
    "minutes": 6,
    "my actions": 4,
    "team actions": 8,
    "team actions CSV": 5,
    "action": 9,  # the owner choices come by the team's id: the owner's view reads no members
}

PAGES = {
    "meeting mode": "/meetings/{meeting}/run?case={case}",
    "matters arising in meeting mode": "/meetings/{next}/run?case=matters",
    "agenda with matters arising": "/meetings/{next}/agenda",
    "minutes": "/meetings/{meeting}/minutes",
    "my actions": "/actions",
    "team actions": "/teams/{team}/actions",
    "team actions CSV": "/teams/{team}/actions.csv",
    "action": "/actions/{action}",
}


def _grow(make, s, size: int):  # type: ignore[no-untyped-def]
    """`size` more cases, each with prep and an action, and `size` more invitees, each with a
    deputy from an organisation of their own (read with the possible owners, not one by one)."""
    first = None
    for n in range(size):
        deputy = make.user(name=f"Deputy {n}")
        member = make.member(
            s.team, make.user(name=f"Member {n}"), discipline="Therapies", deputy=deputy
        ).user
        case = make.case(s.meeting, make.patient(), s.chair, s.sw, member, position=10 + n)
        action = make.action(case, s.sw, due_date=date(2027, 1, 5) + timedelta(days=n))
        first = first or action
    return first


def _counts(app, make, session, size: int) -> dict[str, int]:
    s = scene(make, suffix=f" {size}")
    all_present(session, s)
    action = _grow(make, s, size)
    client = app.test_client()
    login(client, s.sw.email)  # owner of the actions
    chair = app.test_client()
    login(chair, s.chair.email)
    coordinator = app.test_client()
    login(coordinator, s.coordinator.email)
    ids = {
        "meeting": s.meeting.id,
        "next": s.next_meeting.id,
        "case": s.edith.id,
        "team": s.team.id,
        "action": action.id,
    }
    who = {"my actions": client, "action": client, "team actions": coordinator}
    who["team actions CSV"] = coordinator
    counts = {}
    for name, path in PAGES.items():
        browser = who.get(name, chair)
        url = path.format(**ids)
        browser.get(url)  # warm up (first-request work such as the session)
        with count_queries(app) as statements:
            response = browser.get(url)
        assert response.status_code == 200, (name, response.status_code)
        counts[name] = len(statements)
    return counts


@time_machine.travel(DURING, tick=False)
@pytest.mark.parametrize("name", list(PAGES))
def test_a_page_runs_as_many_queries_for_ten_times_the_data(app, make, session, name):
    small = _counts(app, make, session, 2)[name]
    large = _counts(app, make, session, 20)[name]
    assert large == small, f"{name}: {small} queries with 2 rows, {large} with 20"
    assert small == EXPECTED[name], f"{name}: {small} queries"
