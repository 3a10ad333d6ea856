"""The demo neighbourhood's directory: real-looking services, two of them stale."""

from __future__ import annotations

import sqlalchemy as sa

from mdt.core.time import now_utc
from mdt.directory.models import Service
from tests.conftest import login
from tests.test_cli import run


def test_the_demo_lists_services_two_of_them_stale_and_loads_once(app, session, client):
    run(app, "demo")
    run(app, "demo")
    services = session.scalars(sa.select(Service).order_by(Service.name)).all()
    assert len(services) == 5
    stale = [s.name for s in services if s.is_stale(now_utc())]
    assert stale == ["Carers' support service", "Memory assessment service"]
    login(client, "jo.clarke@northside-community-health.example.org", "mdt-demo-password")
    page = client.get("/directory/?q=falls").text
    assert "Falls prevention clinic" in page
    found = client.get("/directory/?q=district nurse").text
    assert "District nurse" in found  # Jo Clarke's profession
    assert "District nursing single point of access" in found.split("<h2>People")[0]
