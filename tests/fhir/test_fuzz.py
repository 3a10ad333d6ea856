"""Fuzzed bodies and headers never produce a 500: each is refused with an
OperationOutcome or accepted."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.fhir.conftest import bearer
from tests.fhir.test_api import story
from tests.fhir.test_referrals import referral

FAST = settings(
    max_examples=40,
    database=None,  # no .hypothesis folder in the work tree
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)


#: What a header can carry at all (the test client refuses control characters itself).
HEADER_TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)


@pytest.fixture
def world(make, register, client):  # type: ignore[no-untyped-def]
    world = story(make)
    world["api"] = register(world["practice"])
    world["headers"] = bearer(client, world["api"])
    return world


def _refused_or_done(response) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json["resourceType"] == "OperationOutcome"


def _mutate(body: dict[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """The referral with one element, at any depth of its first branch, replaced."""
    copy = json.loads(json.dumps(body))
    node = copy
    for key in path[:-1]:
        child = node.get(key) if isinstance(node, dict) else None
        if isinstance(child, list) and child and isinstance(child[0], dict):
            node = child[0]
        elif isinstance(child, dict):
            node = child
        else:
            break
    if isinstance(node, dict):
        node[path[-1]] = value
    return copy


FIELDS = st.lists(
    st.sampled_from(
        [
            "resourceType",
            "status",
            "intent",
            "priority",
            "contained",
            "subject",
            "identifier",
            "name",
            "birthDate",
            "generalPractitioner",
            "value",
            "system",
            "requester",
            "performer",
            "reference",
            "reasonCode",
            "text",
            "orderDetail",
            "extension",
            "valueString",
        ]
    ),
    min_size=1,
    max_size=3,
)


@FAST
@given(path=FIELDS, value=json_values)
def test_fuzzed_referrals_never_500(client, world, path, value):
    body = _mutate(referral(world), path, value)
    response = client.post("/fhir/R4/ServiceRequest", json=body, headers=world["headers"])
    _refused_or_done(response)


@FAST
@given(body=json_values, if_match=HEADER_TEXT, method=st.sampled_from(["PUT", "PATCH"]))
def test_fuzzed_task_updates_never_500(client, world, body, if_match, method):
    kind = "application/json-patch+json" if method == "PATCH" else "application/fhir+json"
    headers = world["headers"] | {"If-Match": if_match, "Content-Type": kind}
    response = client.open(
        f"/fhir/R4/Task/action-{world['action'].id}",
        method=method,
        data=json.dumps(body),
        headers=headers,
    )
    _refused_or_done(response)


@FAST
@given(accept=HEADER_TEXT, content_type=HEADER_TEXT, path=st.text(max_size=20))
def test_fuzzed_content_types_and_paths_never_500(client, world, accept, content_type, path):
    headers = world["headers"] | {"Accept": accept, "Content-Type": content_type}
    response = client.post("/fhir/R4/ServiceRequest", data="{}", headers=headers)
    _refused_or_done(response)
    response = client.get(f"/fhir/R4/{path}", headers={"Accept": accept})
    _refused_or_done(response)


@FAST
@given(raw=st.binary(max_size=200), query=st.text(max_size=30))
def test_fuzzed_bytes_and_search_parameters_never_500(client, world, raw, query):
    response = client.post("/fhir/R4/ServiceRequest", data=raw, headers=world["headers"])
    _refused_or_done(response)
    response = client.get(
        "/fhir/R4/Task",
        query_string={"_lastUpdated": query, "_count": query},
        headers=world["headers"],
    )
    _refused_or_done(response)
    token = client.post(
        "/fhir/R4/token", data={"grant_type": "client_credentials", "client_assertion": query}
    )
    assert token.status_code < 500
