"""The profile each resource we return names in `meta.profile`, and the addresses it is
served at.

UK Core's where UK Core has one: every type we return has one except CapabilityStatement,
which names the base FHIR R4 profile. The URLs were read from the UK Core
StructureDefinitions themselves; tests/fhir/uk_core_profiles.json lists them with the
repository and commit they were read from, and a test holds every response to that list.
UKCore-Task, -CarePlan, -Bundle and -OperationOutcome are still drafts there (the others
are active); their URLs are the ones UK Core will publish them under.
"""

from __future__ import annotations

from flask import current_app

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
BASE_R4 = "http://hl7.org/fhir/StructureDefinition/"
#: The types we return that UK Core has no profile for.
WITHOUT_UK_CORE = frozenset({"CapabilityStatement"})


def profile(resource_type: str) -> str:
    return (BASE_R4 if resource_type in WITHOUT_UK_CORE else UK_CORE) + resource_type


def api_base() -> str:
    """`<BASE_URL>/fhir/R4`: links are built on the configured address people and systems use
    (behind a proxy the request's own host is the proxy's view, not theirs)."""
    return str(current_app.config["BASE_URL"]).rstrip("/") + "/fhir/R4"


def api_url(path: str) -> str:
    """An absolute link to `path` under the API, e.g. `Task/action-3`."""
    return f"{api_base()}/{path.lstrip('/')}"
