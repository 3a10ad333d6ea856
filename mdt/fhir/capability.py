"""The CapabilityStatement: exactly what mdt.fhir.api implements, no more."""

from __future__ import annotations

from typing import Any

from mdt.fhir.profiles import api_base, profile

#: resource: (interactions, search parameters as (name, type))
IMPLEMENTED: dict[str, tuple[tuple[str, ...], tuple[tuple[str, str], ...]]] = {
    "HealthcareService": (("read", "search-type"), (("organization", "token"), ("name", "string"))),
    "Appointment": (
        ("read", "search-type"),
        (("date", "date"), ("actor", "reference"), ("service-type", "token")),
    ),
    "ServiceRequest": (
        ("read", "search-type", "create"),
        (("patient", "reference"), ("status", "token")),
    ),
    "Task": (
        ("read", "search-type", "update", "patch"),
        (
            ("code", "token"),
            ("owner", "token"),
            ("status", "token"),
            ("patient", "reference"),
            ("_lastUpdated", "date"),
        ),
    ),
    "CarePlan": (("read", "search-type"), (("patient", "reference"), ("_lastUpdated", "date"))),
    "Schedule": (("read", "search-type"), (("actor", "reference"),)),
    "Slot": (("read", "search-type"), (("schedule", "reference"), ("start", "date"))),
}


def capability_statement() -> dict[str, Any]:
    base = api_base()
    return {
        "resourceType": "CapabilityStatement",
        "meta": {"profile": [profile("CapabilityStatement")]},
        "status": "active",
        "date": "2026-12-02",
        "kind": "instance",
        "software": {"name": "MDT Coordinator"},
        "implementation": {"description": "MDT Coordinator FHIR API", "url": base},
        "fhirVersion": "4.0.1",
        "format": ["application/fhir+json"],
        "patchFormat": ["application/json-patch+json"],
        "rest": [
            {
                "mode": "server",
                "security": _security(f"{base}/token"),
                "resource": [_resource(name, *spec) for name, spec in IMPLEMENTED.items()],
            }
        ],
    }


def _security(token_url: str) -> dict[str, Any]:
    return {
        "service": [
            {
                "coding": [
                    {
                        "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
                        "code": "SMART-on-FHIR",
                    }
                ],
                "text": "OAuth 2.0 client credentials, private_key_jwt (SMART Backend Services)",
            }
        ],
        "extension": [
            {
                "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                "extension": [{"url": "token", "valueUri": token_url}],
            }
        ],
    }


def _resource(
    name: str, interactions: tuple[str, ...], params: tuple[tuple[str, str], ...]
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": name,
        "supportedProfile": [profile(name)],
        "interaction": [{"code": code} for code in interactions],
        "searchParam": [{"name": n, "type": t} for n, t in params],
    }
    if "update" in interactions:
        body["versioning"] = "versioned-update"
        body["conditionalUpdate"] = False
    if "create" in interactions:
        body["conditionalCreate"] = True
    return body
