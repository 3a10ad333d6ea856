"""Searching: the ServiceRequest status filter is applied before paging, and every link
(fullUrl, paging, Location, the token URL) is built on the configured BASE_URL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mdt.meetings.models import MeetingStatus
from tests.fhir.conftest import bearer
from tests.fhir.test_api import story
from tests.fhir.test_referrals import post, referral
from tests.fhir.validation import valid


@pytest.fixture
def world(make, register, client):  # type: ignore[no-untyped-def]
    world = story(make)
    world["api"] = register(world["practice"])
    world["headers"] = bearer(client, world["api"])
    return world


def _cases_by_status(make, world) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """Six active cases (the story's and five more), three completed (their meeting's
    minutes are sent), two revoked (their meeting is cancelled); created interleaved, so
    each page of an unfiltered search mixes them."""
    held = datetime(2026, 11, 10, 12, 30, tzinfo=UTC)
    past = make.meeting(
        world["team"],
        starts_at=held,
        ends_at=held + timedelta(hours=1),
        status=MeetingStatus.HELD,
        minutes_sent_at=held + timedelta(hours=2),
    )
    off = make.meeting(
        world["team"],
        starts_at=held + timedelta(days=7),
        ends_at=held + timedelta(days=7, hours=1),
        status=MeetingStatus.CANCELLED,
    )
    found = {"active": {str(world["case"].id)}, "completed": set(), "revoked": set()}
    for status, meeting in [("completed", past), ("active", world["meeting"])] * 3 + [
        ("revoked", off),
        ("active", world["meeting"]),
        ("revoked", off),
        ("active", world["meeting"]),
    ]:
        found[status].add(str(make.case(meeting, make.patient()).id))
    return found


def _all_pages(client, world, url: str) -> tuple[list[dict[str, Any]], list[str]]:  # type: ignore[no-untyped-def]
    pages, ids = [], []
    while url:
        page = valid(client.get(url, headers=world["headers"]).json)
        pages.append(page)
        ids += [e["resource"]["id"] for e in page.get("entry", [])]
        url = next((lk["url"] for lk in page["link"] if lk["relation"] == "next"), None)
    return pages, ids


@pytest.mark.parametrize(
    "status, wanted",
    [
        ("active", ["active"]),
        ("completed", ["completed"]),
        ("revoked,completed", ["revoked", "completed"]),
        ("on-hold", []),
    ],
)
def test_a_status_search_pages_through_exactly_the_matches(client, make, world, status, wanted):
    by_status = _cases_by_status(make, world)
    expected = set().union(*(by_status[s] for s in wanted))
    pages, ids = _all_pages(client, world, f"/fhir/R4/ServiceRequest?status={status}&_count=2")
    assert sorted(ids) == sorted(expected) and len(ids) == len(set(ids))
    assert all(page["total"] == len(expected) for page in pages)
    # every page full but the last: the filter is in the query, not applied to each page
    assert [len(p.get("entry", [])) for p in pages[:-1]] == [2] * (len(pages) - 1)
    assert len(pages) == max(1, -(-len(expected) // 2))
    for page in pages:
        assert {e["resource"]["status"] for e in page.get("entry", [])} <= set(wanted)


def test_an_unknown_status_is_refused(client, world):
    response = client.get("/fhir/R4/ServiceRequest?status=finished", headers=world["headers"])
    assert response.status_code == 400
    assert response.json["resourceType"] == "OperationOutcome"


BASE = "https://mdt.nhs.example/trust"


def test_links_are_built_on_the_configured_base_url_not_the_request_host(app, client, make, world):
    """Behind a proxy the request reaches the app as http://10.0.0.5:8000; the links a
    system follows must be the address it uses."""
    app.config["BASE_URL"] = BASE + "/"
    for _ in range(3):
        make.action(world["case"], world["gp"])
    inside = {"base_url": "http://10.0.0.5:8000", "headers": world["headers"]}
    first = valid(client.get("/fhir/R4/Task?code=action&_count=2", **inside).json)
    for entry in first["entry"]:
        assert entry["fullUrl"] == f"{BASE}/fhir/R4/Task/{entry['resource']['id']}"
    links = {lk["relation"]: lk["url"] for lk in first["link"]}
    assert links["self"] == f"{BASE}/fhir/R4/Task?code=action&_count=2&_page=1"
    assert links["next"] == f"{BASE}/fhir/R4/Task?code=action&_count=2&_page=2"
    second = valid(client.get(links["next"].removeprefix(BASE), **inside).json)
    assert {lk["relation"]: lk["url"] for lk in second["link"]}["previous"] == links["self"]

    metadata = client.get("/fhir/R4/metadata", base_url="http://10.0.0.5:8000").json
    assert metadata["implementation"]["url"] == f"{BASE}/fhir/R4"
    token_uri = metadata["rest"][0]["security"]["extension"][0]["extension"][0]["valueUri"]
    assert token_uri == f"{BASE}/fhir/R4/token"

    created = post(client, world, referral(world))
    assert created.status_code == 201, created.text
    assert created.headers["Location"] == (
        f"{BASE}/fhir/R4/ServiceRequest/{created.json['id']}/_history/1"
    )
