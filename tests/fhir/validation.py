"""What every resource the API returns is held to.

- **FHIR 4.0.1**: parsed and round-tripped with fhirclient's models, which SMART on FHIR
  generates from the 4.0.1 definitions (each module says "Generated from FHIR 4.0.1"): element
  types, lists, dates, the elements R4 requires, and no element R4 does not have. fhir.resources
  ships R5, R4B and STU3 but no R4 any more, so it cannot do this.
- **R4B** too, with fhir.resources' models (parse and round trip), as before.
- **UK Core**: `meta.profile` is the UK Core profile of its type, as read from UK Core's own
  StructureDefinitions (uk_core_profiles.json, with the commit it was read from), or the base
  R4 profile where UK Core has none; and the elements that profile requires are present.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhirclient.models.fhirelementfactory import FHIRElementFactory

UK_CORE = json.loads((Path(__file__).parent / "uk_core_profiles.json").read_text())
#: The UK Core profile of each type: UKCore-<Type> (not the variants such as -Lab).
UK_CORE_PROFILES = {
    p["type"]: p for p in UK_CORE["profiles"] if p["url"].endswith(f"/UKCore-{p['type']}")
}


def expected_profile(resource_type: str) -> str:
    found = UK_CORE_PROFILES.get(resource_type)
    return found["url"] if found else UK_CORE["base_r4"] + resource_type


def fhir_4_0_1(resource: dict[str, Any]) -> None:
    """Parse strictly (raises FHIRValidationError) and serialise back to the same JSON."""
    model = FHIRElementFactory.instantiate(resource["resourceType"], resource)
    assert model.as_json() == resource, resource["resourceType"]


def r4b(resource: dict[str, Any]) -> None:
    model = get_fhir_model_class(resource["resourceType"]).model_validate(resource)
    assert model.model_dump(mode="json", exclude_none=True) == resource, resource["resourceType"]


def _present(node: Any, path: list[str]) -> bool:
    """Whether the element at `path` (slice names dropped) exists somewhere under `node`."""
    if not path:
        return node is not None
    if isinstance(node, list):
        return any(_present(item, path) for item in node)
    return isinstance(node, dict) and _present(node.get(path[0].split(":")[0]), path[1:])


def uk_core(resource: dict[str, Any]) -> None:
    kind = resource["resourceType"]
    assert resource["meta"]["profile"] == [expected_profile(kind)], kind
    for element in UK_CORE_PROFILES.get(kind, {}).get("required", []):
        assert _present(resource, element.split(".")[1:]), f"{kind}: {element} is required"


def valid(resource: dict[str, Any]) -> dict[str, Any]:
    """The resource, and each resource in it (a Bundle's entries), as described above."""
    fhir_4_0_1(resource)
    r4b(resource)
    uk_core(resource)
    for entry in resource.get("entry", []):
        uk_core(entry["resource"])
    return resource
