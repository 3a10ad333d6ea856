"""The checks every response goes through (tests/fhir/validation.py) refuse what FHIR 4.0.1
and UK Core refuse: a check that passed anything would prove nothing."""

from __future__ import annotations

from typing import Any

import pytest
from fhirclient.models.fhirabstractbase import FHIRValidationError

from tests.fhir.validation import (
    UK_CORE,
    UK_CORE_PROFILES,
    expected_profile,
    fhir_4_0_1,
    r4b,
    uk_core,
)

TASK = {
    "resourceType": "Task",
    "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-Task"]},
    "status": "requested",
    "intent": "order",
    "authoredOn": "2027-01-12T12:30:00Z",
}


def test_a_valid_task_passes_every_check():
    fhir_4_0_1(TASK)
    r4b(TASK)
    uk_core(TASK)


@pytest.mark.parametrize(
    "broken",
    [
        {"intent": None},  # R4 requires Task.intent
        {"colour": "red"},  # no such element
        {"authoredOn": "12/01/2027"},  # not a FHIR dateTime
        {"status": ["requested"]},  # one code, not a list
    ],
)
def test_the_r4_check_refuses_what_r4_refuses(broken: dict[str, Any]):
    task = {k: v for k, v in (TASK | broken).items() if v is not None}
    with pytest.raises((FHIRValidationError, ValueError)):
        fhir_4_0_1(task)


def test_the_r4_check_refuses_a_resource_r4_does_not_have():
    """SubscriptionTopic came in R4B: the R4 models do not know it, the R4B ones do."""
    topic = {"resourceType": "SubscriptionTopic", "url": "https://x.example/t", "status": "draft"}
    r4b(topic)
    with pytest.raises(Exception):  # noqa: B017, PT011 - the factory's own error for an unknown type
        fhir_4_0_1(topic)


def test_the_profile_must_be_uk_cores_for_the_type():
    with pytest.raises(AssertionError):
        uk_core(TASK | {"meta": {"profile": ["http://hl7.org/fhir/StructureDefinition/Task"]}})
    with pytest.raises(AssertionError):
        uk_core(TASK | {"meta": {"profile": [UK_CORE_PROFILES["CarePlan"]["url"]]}})


def test_an_element_a_uk_core_profile_requires_must_be_there():
    """No UK Core profile of a type we return requires more than R4 does; UK Core Patient
    requires the NHS number's system and value, which shows the check at work."""
    patient = {
        "resourceType": "Patient",
        "meta": {"profile": [expected_profile("Patient")]},
        "identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number", "value": "9434765919"}],
    }
    uk_core(patient)
    with pytest.raises(AssertionError, match="nhsNumber.value"):
        uk_core(patient | {"identifier": [{"system": "https://fhir.nhs.uk/Id/nhs-number"}]})


RETURNED = (
    "HealthcareService",
    "Appointment",
    "Schedule",
    "Slot",
    "ServiceRequest",
    "Task",
    "CarePlan",
    "Bundle",
    "OperationOutcome",
)


def test_the_fixture_names_its_source_and_has_a_profile_for_each_type_we_return():
    assert len(UK_CORE["commit"]) == 40 and UK_CORE["repository"].endswith("UKCORE-STAGING-MAIN")
    for kind in RETURNED:
        assert UK_CORE_PROFILES[kind]["url"].endswith(f"/UKCore-{kind}"), kind
