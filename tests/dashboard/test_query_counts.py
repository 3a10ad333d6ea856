"""The dashboard runs the same number of SQL statements for a coordinator of one small team
as for one of several teams ten times the size: no query per team, invitee, case or action."""

from __future__ import annotations

from datetime import date, timedelta

import time_machine

from tests.conftest import login
from tests.dashboard.support import STARTS, WEEK_BEFORE, team
from tests.queries import count_queries

#: The session's user; for the teams they run: the teams with their next meetings, the
#: invitees, the agendas with their preparation, today's reminders, overdue actions, unsent
#: minutes; the person's teams, prep and actions owed; and the audit rows of the overdue
#: actions shown (the chain's head read, then one insert). Within the budget of 12.
EXPECTED = 12


def _grow(make, t, size: int) -> None:  # type: ignore[no-untyped-def]
    """`size` more invitees and overdue actions, and size // 4 more teams the coordinator
    runs, each with a meeting, a case and an overdue action."""
    for n in range(size):
        member = make.member(t.team, make.user(name=f"Member {n}"), discipline="Therapies").user
        make.action(t.cases[0], member, due_date=date(2026, 12, 1) + timedelta(days=n))
    for n in range(size // 4):
        other = make.team(coordinator=t.coordinator, name=f"Other MDT {size}-{n}")
        meeting = make.meeting(other, starts_at=STARTS, ends_at=STARTS + timedelta(minutes=90))
        case = make.case(meeting, make.patient(), t.coordinator)
        make.action(case, t.coordinator, due_date=date(2026, 12, 1))


def _count(app, make, session, size: int) -> int:  # type: ignore[no-untyped-def]
    t = team(make, session, suffix=f" {size}", extra_cases=size)
    _grow(make, t, size)
    client = app.test_client()
    login(client, t.coordinator.email)
    client.get("/dashboard")  # warm up (first-request work such as the session)
    with count_queries(app) as statements:
        response = client.get("/dashboard")
    assert response.status_code == 200
    assert response.text.count('class="app-run-panel"') == 1 + size // 4
    return len(statements)


@time_machine.travel(WEEK_BEFORE, tick=False)
def test_the_dashboard_runs_as_many_queries_for_ten_times_the_data(app, make, session):
    small = _count(app, make, session, 2)
    large = _count(app, make, session, 20)
    assert large == small, f"{small} queries for the small teams, {large} for the large"
    assert small == EXPECTED, f"{small} queries"
