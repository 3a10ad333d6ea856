"""The local OpenID provider for the module, and an app configured with two providers on
it: one CIS2-shaped (private_key_jwt, acr required, selected role) and one Entra-shaped
(client secret, oid as the subject, an app role required)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from joserfc.jwk import RSAKey
from sqlalchemy.orm import sessionmaker

from mdt import create_app
from mdt.extensions import db
from tests.conftest import test_config
from tests.oidc.provider import Client, LocalProvider, RunningProvider

BASE = "http://mdt.test"


@pytest.fixture(scope="module")
def running() -> Iterator[RunningProvider]:
    running = RunningProvider()
    yield running
    running.stop()


@pytest.fixture
def op(running: RunningProvider, monkeypatch: pytest.MonkeyPatch) -> LocalProvider:
    """The provider, reset for this test."""
    # Loopback HTTP: Authlib refuses plain http otherwise (rightly, anywhere else).
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    provider = running.provider
    provider.person = {}
    provider.userinfo_extra = {}
    provider.tamper = {}
    provider.codes.clear()
    provider.token_requests.clear()
    return provider


def oidc_settings(issuer: str, key_file: Path) -> list[dict[str, object]]:
    return [
        {
            "name": "cis2",
            "label": "NHS CIS2 Authentication",
            "issuer": issuer,
            "client_id": "mdt-cis2",
            "private_key_file": str(key_file),
            "profile": "cis2",
        },
        {
            "name": "entra",
            "label": "Microsoft",
            "issuer": issuer,
            "client_id": "mdt-entra",
            "client_secret": "entra-secret",
            "profile": "entra",
            "allowed_roles": ["MDT.User"],
        },
    ]


@pytest.fixture
def app(database_url: str, tmp_path: Path, op: LocalProvider) -> Iterator[Flask]:
    rp_key = RSAKey.generate_key(2048)
    key_file = tmp_path / "cis2-client.pem"
    key_file.write_bytes(rp_key.as_pem(private=True))
    op.add_client(Client("mdt-cis2", [f"{BASE}/login/oidc/cis2/callback"], public_key=rp_key))
    op.add_client(
        Client("mdt-entra", [f"{BASE}/login/oidc/entra/callback"], client_secret="entra-secret")
    )
    config = test_config(database_url, tmp_path) | {
        "OIDC_PROVIDERS": oidc_settings(op.issuer, key_file)
    }
    app = create_app(config)
    state = db.state(app)
    connection = state.engine.connect()
    outer = connection.begin()
    state.sessionmaker = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    yield app
    outer.rollback()
    connection.close()
    state.engine.dispose()
