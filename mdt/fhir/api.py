"""The FHIR R4 API's blueprint, with every view registered on it."""

from mdt.fhir import api_care, api_services
from mdt.fhir.blueprint import bp

__all__ = ["api_care", "api_services", "bp"]
