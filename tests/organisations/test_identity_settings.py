"""An organisation's administrator chooses which of the configured OpenID Connect providers
its people may use, and whether they must (password sign-in then refused for them)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import sessionmaker

from mdt import create_app
from mdt.accounts.models import SecurityEvent
from mdt.extensions import db
from mdt.organisations.models import Organisation
from tests.conftest import csrf_token, login, submit, test_config

PROVIDERS = [
    {
        "name": "entra",
        "label": "Microsoft",
        "issuer": "https://login.example.invalid/tenant/v2.0",
        "client_id": "mdt",
        "client_secret": "s",
        "profile": "entra",
    },
    {
        "name": "cis2",
        "label": "NHS CIS2 Authentication",
        "issuer": "https://cis2.example.invalid/openam/oauth2/realms/root/realms/oidc",
        "client_id": "mdt-cis2",
        "client_secret": "s",
        "profile": "cis2",
    },
]


@pytest.fixture
def app(database_url: str, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    # Configured providers (nothing is fetched from them: the form only names them).
    app = create_app(test_config(database_url, tmp_path) | {"OIDC_PROVIDERS": PROVIDERS})
    state = db.state(app)
    connection = state.engine.connect()
    outer = connection.begin()
    state.sessionmaker = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    yield app
    outer.rollback()
    connection.close()
    state.engine.dispose()


@pytest.fixture
def practice(make):
    return make.organisation(name="Riverside Surgery")


@pytest.fixture
def practice_admin(make, client, practice):
    admin = make.admin(email="admin@riverside.example.org", organisation=practice)
    login(client, admin.email)
    return admin


def _path(org):
    return f"/organisations/{org.id}/sign-in"


def test_the_administrator_chooses_providers_and_requires_them(
    app, make, session, client, practice, practice_admin
):
    gp = make.user(email="gp@riverside.example.org", organisation=practice)
    assert _path(practice) in client.get(f"/organisations/{practice.id}").text
    page = client.get(_path(practice)).text
    assert "Microsoft" in page and "NHS CIS2 Authentication" in page
    saved = submit(client, _path(practice), {"providers": ["entra", "cis2"], "require_oidc": "y"})
    assert saved.headers["Location"] == _path(practice)
    session.expire_all()
    org = session.get(Organisation, practice.id)
    assert (org.oidc_providers, org.require_oidc) == ("cis2 entra", True)
    event = session.scalars(
        sa.select(SecurityEvent).where(SecurityEvent.organisation_id == practice.id)
    ).one()
    assert (event.actor_id, event.action) == (practice_admin.id, "identity settings")
    assert "cis2 entra" in event.detail and "required" in event.detail
    # Password sign-in is now refused for its people.
    browser = app.test_client()
    refused = submit(browser, "/login", {"email": gp.email, "password": make.PASSWORD})
    assert refused.status_code == 200
    assert "signs its people in with their organisation&#39;s account" in refused.text
    assert browser.get("/dashboard").status_code == 302
    # And allowed again when it no longer requires it.
    submit(client, _path(practice), {"providers": ["entra"]})
    allowed = submit(app.test_client(), "/login", {"email": gp.email, "password": make.PASSWORD})
    assert allowed.headers["Location"] == "/dashboard"


def test_a_provider_not_configured_is_refused_and_nothing_is_saved(
    session, client, practice, practice_admin
):
    refused = submit(client, _path(practice), {"providers": ["entra", "okta"]})
    assert refused.status_code == 200
    assert "okta is not a provider this service is set up for" in refused.text
    ticked = re.findall(r'<input[^>]*value="(\w+)"[^>]*checked', refused.text)
    assert ticked == ["entra"]  # what was ticked stays ticked
    session.expire_all()
    assert session.get(Organisation, practice.id).oidc_providers == ""
    assert not session.scalars(
        sa.select(SecurityEvent).where(SecurityEvent.organisation_id.is_not(None))
    ).all()  # (the administrator's own app, set up at sign-in, is a personal event)


def test_requiring_a_provider_needs_one_chosen(session, client, practice, practice_admin):
    refused = submit(client, _path(practice), {"require_oidc": "y"})
    assert "Choose at least one provider" in refused.text
    session.expire_all()
    assert session.get(Organisation, practice.id).require_oidc is False


def test_only_the_organisations_own_administrators_may_change_it(app, make, practice):
    other_admin = make.admin(email="admin@elsewhere.example.org")
    colleague = make.user(email="nurse@riverside.example.org", organisation=practice)
    for email in (other_admin.email, colleague.email):
        browser = app.test_client()
        login(browser, email)
        assert browser.get(_path(practice)).status_code == 403, email
        token = csrf_token(browser, "/profile")
        posted = browser.post(_path(practice), data={"require_oidc": "y", "csrf_token": token})
        assert posted.status_code == 403, email


def test_a_stale_form_is_a_conflict(session, client, practice, practice_admin):
    token = csrf_token(client, _path(practice))
    submit(client, _path(practice), {"providers": ["cis2"]})
    stale = client.post(
        _path(practice), data={"providers": ["entra"], "revision": "1", "csrf_token": token}
    )
    assert "Someone else changed these details" in stale.text
    session.expire_all()
    assert session.get(Organisation, practice.id).oidc_providers == "cis2"
