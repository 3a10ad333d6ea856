"""SMART on FHIR's own Python client (fhirclient) drives the API over real HTTP.

fhirclient sends a client assertion it is given (`jwt_token`) but does not sign one: the
test signs it with its own key (joserfc), and fhirclient takes the token URL from our
CapabilityStatement, posts the assertion there, and uses the bearer token it gets. It has
no way to send If-None-Exist or If-Match, so those go on its requests session's headers.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest
from fhirclient import client as smart_client
from fhirclient.models.appointment import Appointment
from fhirclient.models.servicerequest import ServiceRequest
from fhirclient.models.task import Task, TaskOutput
from werkzeug.serving import make_server

from mdt import create_app
from mdt.core import migrate
from mdt.extensions import db
from mdt.fhir.resources import EMAIL, NHS_NUMBER, ODS_CODE
from tests.conftest import login, test_config
from tests.factories import Factory
from tests.fhir.conftest import add_client, assertion
from tests.fhir.test_api import story


@pytest.fixture
def live(empty_database_url, tmp_path) -> Iterator[tuple[str, object, Factory]]:  # type: ignore[no-untyped-def]
    migrate.upgrade(empty_database_url)
    app = create_app(test_config(empty_database_url, tmp_path))
    server = make_server("127.0.0.1", 0, app, threaded=False)
    # The API's links (the token URL, fullUrl, paging) are built on BASE_URL: its own address.
    app.config["BASE_URL"] = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, name="fhir-server", daemon=True)
    thread.start()
    session = db.state(app).sessionmaker()
    yield f"http://127.0.0.1:{server.server_port}", app, Factory(session)
    session.close()
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    db.state(app).engine.dispose()


def test_a_gp_system_refers_a_patient_and_closes_an_action_with_fhirclient(live):
    base, app, make = live
    world = story(make)
    api = add_client(make.session, world["practice"])
    # Plain values, then the test's transaction ends: on SQLite an open one holds the lock.
    client_id, gp_email = api.client_id, world["gp"].email
    team_id, meeting_id, action_id = world["team"].id, world["meeting"].id, world["action"].id
    make.session.close()
    token_url = f"{base}/fhir/R4/token"
    smart = smart_client.FHIRClient(
        settings={
            "app_id": client_id,
            "api_base": f"{base}/fhir/R4",
            "scope": "system/*.cruds",
            "jwt_token": assertion(client_id, aud=token_url),
        }
    )
    smart.prepare()  # reads the CapabilityStatement: the token URL
    assert smart.server.capabilityStatement.fhirVersion == "4.0.1"
    smart.authorize()
    assert smart.ready

    search = Appointment.where({"actor": f"HealthcareService/{team_id}"})
    found = list(search.perform_resources_iter(smart.server))
    assert [a.id for a in found] == [str(meeting_id)]

    referral = ServiceRequest(
        {
            "resourceType": "ServiceRequest",
            "identifier": [{"system": "https://gp.example/referrals", "value": "R-1"}],
            "status": "active",
            "intent": "order",
            "priority": "routine",
            "contained": [
                {
                    "resourceType": "Patient",
                    "id": "p",
                    "identifier": [{"system": NHS_NUMBER, "value": "9434765919"}],
                    "name": [{"given": ["Ada"], "family": "Lovelace"}],
                    "birthDate": "1940-03-21",
                    "generalPractitioner": [
                        {"identifier": {"system": ODS_CODE, "value": "F84012"}}
                    ],
                }
            ],
            "subject": {"reference": "#p"},
            "requester": {"identifier": {"system": EMAIL, "value": gp_email}},
            "performer": [{"reference": f"HealthcareService/{team_id}"}],
            "reasonCode": [{"text": "Falls and carer strain"}],
        }
    )
    smart.server.session.headers["If-None-Exist"] = "identifier=https://gp.example/referrals|R-1"
    created = referral.create(smart.server)
    again = referral.create(smart.server)  # a retry: the same case, not a second one
    del smart.server.session.headers["If-None-Exist"]
    assert created["id"] == again["id"]

    task = Task.read(f"action-{action_id}", smart.server)
    task.status = "completed"
    task.output = [
        TaskOutput({"type": {"text": "What was done"}, "valueString": "Falls assessment booked"})
    ]
    smart.server.session.headers["If-Match"] = f'W/"{task.meta.versionId}"'
    task.update(smart.server)
    with pytest.raises(Exception, match="412"):
        task.update(smart.server)  # the same version again: stale now
    del smart.server.session.headers["If-Match"]

    web = app.test_client()
    login(web, gp_email)
    agenda = web.get(f"/meetings/{meeting_id}/agenda").get_data(as_text=True)
    assert "Ada Lovelace" in agenda
    mine = web.get("/actions").get_data(as_text=True)
    assert re.search(r"Arrange a falls assessment.*?Done", mine, re.S)
    coordinator = app.test_client()
    login(coordinator, "chair@community.example.org")
    team = coordinator.get(f"/teams/{team_id}/actions?status=done").get_data(as_text=True)
    assert "Arrange a falls assessment" in team
    assert "Arrange a falls assessment" not in coordinator.get(
        f"/teams/{team_id}/actions?status=open"
    ).get_data(as_text=True)
