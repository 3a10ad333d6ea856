"""A disposal leaves every figure of the team report and of the report across teams as it
was: what they count of a disposed case is kept, without the patient."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
import time_machine

from mdt.agenda.models import Case
from mdt.extensions import db
from mdt.patients.models import Patient
from mdt.retention import disposal, operations, queries
from tests.conftest import login
from tests.reports.support import NOW, PERIOD, known_team

LATER = NOW.replace(year=NOW.year + 20)


@pytest.fixture
def known(make, session):  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        return known_team(make, session)


def _reports(client, known) -> list[str]:  # type: ignore[no-untyped-def]
    with time_machine.travel(NOW, tick=False):
        pages = [
            client.get(f"/teams/{known.team.id}/report.csv", query_string=PERIOD),
            client.get("/reports/teams.csv", query_string=PERIOD),
            client.get(f"/teams/{known.team.id}/report", query_string=PERIOD),
        ]
    assert all(page.status_code == 200 for page in pages)
    return [page.text for page in pages[:2]] + [_figures(pages[2].text)]


def _figures(html: str) -> str:
    """The report's main content, without what changes from one request to the next."""
    main = html[html.index("<main") : html.index("</main>")]
    return re.sub(r'(nonce|value)="[^"]*"', "", main)


def test_disposing_of_every_patient_changes_no_figure(app, client, make, session, known):
    admin = make.admin(email="admin@reports.example.org")
    with time_machine.travel(NOW, tick=False):
        login(client, admin.email)
    before = _reports(client, known)
    patients = session.scalars(
        sa.select(Case.patient_id).join(Case.meeting).where(Case.meeting.has(team_id=known.team.id))
    ).all()
    assert len(set(patients)) == 7
    with app.app_context():
        # Every one of them, open cases included: the figures must hold whatever goes.
        every = queries.standings(app.config, set(patients))
        assert operations.dispose(every, "key") == 7
        db.session.commit()
    assert (
        session.scalar(
            sa.select(sa.func.count()).select_from(Patient).where(Patient.id.in_(patients))
        )
        == 0
    )
    assert _reports(client, known) == before


def test_the_retention_run_changes_no_figure(app, client, make, session, known):
    admin = make.admin(email="admin@reports.example.org")
    with time_machine.travel(NOW, tick=False):
        login(client, admin.email)
    before = _reports(client, known)
    with app.app_context():
        result = disposal.run(app.config, LATER)
    # Cases on the meeting never closed (m4, m6) and those with open actions stay.
    assert result.disposed > 0
    assert _reports(client, known) == before
