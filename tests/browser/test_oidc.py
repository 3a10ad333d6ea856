"""In the browser, from the sign-in page's button to the dashboard through the local OpenID
provider (tests/oidc/provider.py), Entra-shaped, on loopback."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect
from werkzeug.serving import make_server

from mdt import create_app
from mdt.accounts.models import User, UserSession
from mdt.core import migrate
from mdt.demo.data import load_demo
from mdt.extensions import db
from tests.browser.test_browser import SAM, TIMEOUT_MS, LiveServer, check_accessibility, heading
from tests.conftest import test_config
from tests.live import closing_responses
from tests.oidc.provider import Client, RunningProvider

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningProvider]:
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # loopback HTTP only
    running = RunningProvider()
    yield running
    running.stop()


@pytest.fixture
def oidc_server(
    empty_database_url: str, tmp_path: Path, provider: RunningProvider
) -> Iterator[LiveServer]:
    """The app with an Entra-shaped provider configured; BASE_URL is its own address, so
    the redirect URI it sends is the one registered with the provider."""
    holder: dict[str, Any] = {}
    server = make_server(
        "127.0.0.1", 0, closing_responses(lambda env, start: holder["app"](env, start)), True
    )
    url = f"http://127.0.0.1:{server.server_port}"
    provider.provider.add_client(
        Client("mdt-entra", [f"{url}/login/oidc/entra/callback"], client_secret="s3cret")
    )
    migrate.upgrade(empty_database_url)
    settings = test_config(empty_database_url, tmp_path) | {
        "BASE_URL": url,
        "OIDC_PROVIDERS": [
            {
                "name": "entra",
                "label": "Borough Council (Microsoft)",
                "issuer": provider.provider.issuer,
                "client_id": "mdt-entra",
                "client_secret": "s3cret",
                "profile": "entra",
            }
        ],
    }
    app = create_app(settings)
    holder["app"] = app
    with app.app_context():
        load_demo()
        sam = db.session.scalars(sa.select(User).where(User.email == SAM)).one()
        sam.organisation.oidc_providers = "entra"
        db.session.commit()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield LiveServer(url, app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    db.state(app).engine.dispose()


@pytest.fixture
def oidc_page(browser: Browser, oidc_server: LiveServer) -> Iterator[Page]:
    context = browser.new_context(base_url=oidc_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def test_sign_in_through_the_organisations_provider_reaches_the_dashboard(
    oidc_page: Page, oidc_server: LiveServer, provider: RunningProvider
) -> None:
    page = oidc_page
    provider.provider.person = {
        "sub": "pairwise",
        "oid": "2b4c-sam",
        "preferred_username": SAM,
        "amr": ["pwd", "mfa"],
        "sid": "entra-1",
    }
    page.goto("/login")
    check_accessibility(page)
    page.get_by_role("link", name="Sign in with Borough Council (Microsoft)").click()
    page.wait_for_url("**/dashboard")
    expect(heading(page)).not_to_have_text("Sign in")
    check_accessibility(page)
    with oidc_server.app.app_context():
        record = db.session.scalars(sa.select(UserSession)).one()
        assert record.oidc_provider == "entra" and record.provider_asserted_mfa
    page.goto("/profile")
    expect(page.get_by_text("Borough Council (Microsoft)")).to_be_visible()


def test_an_unknown_person_is_told_to_ask_for_access(
    oidc_page: Page, provider: RunningProvider
) -> None:
    page = oidc_page
    provider.provider.person = {"sub": "x", "oid": "nobody", "preferred_username": "x@y.org"}
    page.goto("/login")
    page.get_by_role("link", name="Sign in with Borough Council (Microsoft)").click()
    expect(heading(page)).to_have_text("Ask your MDT coordinator for access")
    check_accessibility(page)
