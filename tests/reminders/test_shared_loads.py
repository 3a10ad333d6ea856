"""A sweep loads open preparation and open actions once each, though two kinds of reminder
read each (at a region's scale each load takes seconds)."""

from __future__ import annotations

from datetime import date, time, timedelta

from mdt.reminders.kinds import Window, produce
from tests.queries import count_queries
from tests.reminders.support import london, meeting_on


def test_a_sweep_loads_open_prep_and_open_actions_once(app, session, make):
    team = make.team(name="Riverside MDT")
    member = make.member(team).user
    meeting = meeting_on(make, team, london(2027, 1, 12, 12, 30))
    case = make.case(meeting, make.patient(), member)
    make.action(case, member, due_date=date(2027, 1, 4))
    now = london(2027, 1, 6, 7, 31)
    with app.app_context(), count_queries(app) as statements:
        produce(session, Window(since=now - timedelta(days=7), until=now, at=time(7, 30)))
    actions = [s for s in statements if "action_point.due_date <=" in s]
    prep = [s for s in statements if "count(prep_request.id)" in s]
    assert (len(actions), len(prep)) == (1, 1)
