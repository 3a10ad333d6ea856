"""The [[oidc.providers]] settings, read into typed records with each profile's defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app

from mdt.config import ConfigError

CIS2_SCOPES = "openid profile email nhsperson nationalrbacaccess associatedorgs selectedrole"
#: CIS2's assurance levels: AAL3 a smartcard, AAL2 an authenticator app; both two factors.
CIS2_MFA_ACR = ("AAL2", "AAL3")
#: amr values (RFC 8176) that are a second factor, or say outright that there were two.
MFA_AMR = frozenset({"mfa", "otp", "hwk", "swk", "sc", "fpt", "face", "iris", "sms", "tel"})


@dataclass(frozen=True)
class Provider:
    name: str
    label: str
    issuer: str
    client_id: str
    discovery_url: str = ""
    client_secret: str = ""
    #: A PEM private key for private_key_jwt client authentication (CIS2 requires it).
    private_key_file: str = ""
    scopes: str = "openid profile email"
    #: Extra authorisation request parameters, such as acr_values.
    authorize_params: dict[str, str] = field(default_factory=dict)
    #: The ID token's acr must be one of these (empty: not checked).
    required_acr: tuple[str, ...] = ()
    #: acr values that mean the sign-in used two factors.
    mfa_acr: tuple[str, ...] = ()
    #: "cis2", "entra" or "" (plain OpenID Connect).
    profile: str = ""
    #: Entra: a person may sign in only with one of these groups or app roles (both empty:
    #: anyone the tenant lets through).
    allowed_groups: tuple[str, ...] = ()
    allowed_roles: tuple[str, ...] = ()

    @property
    def metadata_url(self) -> str:
        return self.discovery_url or (self.issuer.rstrip("/") + "/.well-known/openid-configuration")

    @property
    def subject_claim(self) -> str:
        # Entra's sub differs per application; oid is the person across the tenant.
        return "oid" if self.profile == "entra" else "sub"

    @property
    def auth_method(self) -> str:
        return "private_key_jwt" if self.private_key_file else "client_secret_post"


_KNOWN = {
    "name",
    "label",
    "issuer",
    "discovery_url",
    "client_id",
    "client_secret",
    "private_key_file",
    "scopes",
    "authorize_params",
    "required_acr",
    "mfa_acr",
    "profile",
    "allowed_groups",
    "allowed_roles",
}


def _provider(raw: dict[str, Any]) -> Provider:
    unknown = sorted(set(raw) - _KNOWN)
    name = str(raw.get("name", ""))
    if unknown:
        raise ConfigError(f"[[oidc.providers]] {name!r}: unknown key(s) {', '.join(unknown)}")
    for key in ("name", "label", "issuer", "client_id"):
        if not raw.get(key):
            raise ConfigError(f"[[oidc.providers]] {name!r}: '{key}' is required")
    if not name.replace("-", "").replace("_", "").isalnum():
        raise ConfigError(f"[[oidc.providers]] name {name!r}: letters, digits, - and _ only")
    profile = str(raw.get("profile", ""))
    if profile not in {"", "cis2", "entra"}:
        raise ConfigError(f"[[oidc.providers]] {name!r}: profile is cis2, entra or absent")
    if not raw.get("client_secret") and not raw.get("private_key_file"):
        raise ConfigError(f"[[oidc.providers]] {name!r}: needs client_secret or private_key_file")
    defaults: dict[str, Any] = {}
    if profile == "cis2":
        defaults = {
            "scopes": CIS2_SCOPES,
            "authorize_params": {"acr_values": "AAL3_ANY AAL2_OR_ABOVE"},
            "required_acr": CIS2_MFA_ACR,
            "mfa_acr": CIS2_MFA_ACR,
        }
    values = defaults | raw
    for key in ("required_acr", "mfa_acr", "allowed_groups", "allowed_roles"):
        values[key] = tuple(str(v) for v in values.get(key, ()))
    values["authorize_params"] = {
        str(k): str(v) for k, v in dict(values.get("authorize_params", {})).items()
    }
    return Provider(**values)


def providers_from(settings: list[dict[str, Any]]) -> dict[str, Provider]:
    found: dict[str, Provider] = {}
    for raw in settings:
        provider = _provider(raw)
        if provider.name in found:
            raise ConfigError(f"[[oidc.providers]]: two providers named {provider.name!r}")
        found[provider.name] = provider
    return found


def configured() -> dict[str, Provider]:
    """This app's providers, by name (read from the settings at start, mdt.oidc.views)."""
    providers: dict[str, Provider] = current_app.extensions["mdt_oidc"][0]
    return providers
