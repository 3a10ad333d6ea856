"""The demo's Riverside team has a year of history: every part of its report has something
real to show, and loading the demo twice adds nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import sqlalchemy as sa
import time_machine

from mdt.demo.data import DEMO_PASSWORD, load_demo
from mdt.extensions import db
from mdt.meetings.models import Meeting
from mdt.teams.models import Team
from tests.conftest import login

NOW = datetime(2029, 10, 15, 9, 0, tzinfo=UTC)
ALEX = "alex.morgan@riverside-surgery.example.org"


def test_riversides_report_on_the_demo_has_a_year_to_show(app, client):
    with time_machine.travel(NOW, tick=False):
        with app.app_context():
            load_demo()
            meetings = db.session.scalar(sa.select(sa.func.count(Meeting.id)))
            load_demo()
            assert db.session.scalar(sa.select(sa.func.count(Meeting.id))) == meetings
            team_id = db.session.scalar(sa.select(Team.id).where(Team.name.like("Riverside%")))
        login(client, ALEX, DEMO_PASSWORD)
        page = client.get(f"/teams/{team_id}/report").text
        rows = list(csv.reader(io.StringIO(client.get(f"/teams/{team_id}/report.csv").text)))
    figures = {(r[0], r[1]): r[2:] for r in rows[1:]}
    assert int(figures[("Meetings counted", "")][0]) >= 11
    assert figures[("Attendance by person", "Dr Tom Okafor")][2] < "66"
    assert "Below 2/3" in page
    for measure in (
        "Preparation on time",
        "Actions closed on time",
        "Minutes sent within 1 working day",
        "Meetings in protected time",
    ):
        group = "All" if measure == "Preparation on time" else ""
        value, out_of, percent = figures[(measure, group)]
        assert 0 < int(value) < int(out_of), measure  # some on time, some not
    assert int(figures[("Cases deferred", "")][0]) > 0
    assert int(figures[("Cases rolled forward", "")][0]) > 0
    assert int(figures[("Actions overdue now", "")][0]) > 0
