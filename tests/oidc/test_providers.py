"""[[oidc.providers]] settings: profiles' defaults, and mistakes refused at start-up."""

from __future__ import annotations

import pytest

from mdt import create_app
from mdt.config import ConfigError, load_settings
from mdt.extensions import db
from mdt.oidc.providers import CIS2_SCOPES, providers_from
from tests.conftest import test_config

BASIC = {"name": "x", "label": "X", "issuer": "https://op.example", "client_id": "c"}


def test_the_cis2_profile_brings_its_scopes_acr_and_required_acr() -> None:
    (provider,) = providers_from([BASIC | {"profile": "cis2", "private_key_file": "k"}]).values()
    assert provider.scopes == CIS2_SCOPES
    assert provider.authorize_params == {"acr_values": "AAL3_ANY AAL2_OR_ABOVE"}
    assert provider.required_acr == ("AAL2", "AAL3")
    assert provider.auth_method == "private_key_jwt"
    assert provider.metadata_url == "https://op.example/.well-known/openid-configuration"


def test_entra_takes_oid_as_the_subject() -> None:
    (provider,) = providers_from([BASIC | {"profile": "entra", "client_secret": "s"}]).values()
    assert provider.subject_claim == "oid" and provider.auth_method == "client_secret_post"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"colour": "red", "client_secret": "s"}, "unknown key"),
        ({"client_secret": "s", "issuer": ""}, "'issuer' is required"),
        ({}, "needs client_secret or private_key_file"),
        ({"client_secret": "s", "profile": "okta"}, "profile is cis2, entra"),
        ({"client_secret": "s", "name": "a/b"}, "letters, digits"),
    ],
)
def test_a_mistake_is_refused_with_a_clear_message(change: dict, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        providers_from([BASIC | change])


def test_two_providers_of_one_name_are_refused() -> None:
    with pytest.raises(ConfigError, match="two providers named"):
        providers_from([BASIC | {"client_secret": "s"}] * 2)


def test_the_toml_list_of_tables_is_read(tmp_path) -> None:  # type: ignore[no-untyped-def]
    config = tmp_path / "c.toml"
    config.write_text(
        '[[oidc.providers]]\nname = "entra"\nlabel = "M"\nissuer = "https://i"\n'
        'client_id = "c"\nclient_secret = "s"\nprofile = "entra"\n'
    )
    settings = load_settings({"MDT_CONFIG": str(config)})
    assert [p["name"] for p in settings["OIDC_PROVIDERS"]] == ["entra"]
    with pytest.raises(ConfigError, match="use the TOML"):
        load_settings({"MDT_OIDC_PROVIDERS": "x"})


def test_with_no_provider_the_sign_in_page_has_no_buttons(database_url: str, tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(test_config(database_url, tmp_path))  # the defaults: none configured
    assert app.config["OIDC_PROVIDERS"] == []
    page = app.test_client().get("/login").text
    assert "<h1>Sign in</h1>" in page
    assert "Sign in with" not in page and "organisation's account" not in page
    db.state(app).engine.dispose()
