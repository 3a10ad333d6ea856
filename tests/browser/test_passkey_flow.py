"""A social worker adds a passkey in Chromium, then signs in with password and passkey.

The passkey lives in Chromium's virtual authenticator (the DevTools protocol's WebAuthn
domain: a CTAP2 platform authenticator with user verification, as a laptop's fingerprint
reader would be), so the real navigator.credentials.create/get of mdt/static/passkeys.js run
against the real endpoints. Browsers refuse passkeys on an IP address, so this page opens
the live server as http://localhost:<port>, the origin the app is configured with here.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from mdt.accounts.models import UserSession
from mdt.core.time import now_utc
from mdt.extensions import db
from tests.browser.test_browser import (
    DEMO_PASSWORD,
    SAM,
    TIMEOUT_MS,
    LiveServer,
    check_accessibility,
    heading,
    sign_in,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def localhost_page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    port = live_server.url.rsplit(":", 1)[1]
    origin = f"http://localhost:{port}"
    live_server.app.config.update(WEBAUTHN_RP_ID="localhost", WEBAUTHN_ORIGIN=origin)
    context = browser.new_context(base_url=origin, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def add_virtual_authenticator(page: Page) -> str:
    devtools = page.context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return added["authenticatorId"]


def test_a_person_adds_a_passkey_and_signs_in_with_it(
    localhost_page: Page, live_server: LiveServer
) -> None:
    page = localhost_page
    add_virtual_authenticator(page)
    sign_in(page, SAM)
    page.wait_for_url("**/dashboard")
    page.goto("/profile")
    page.get_by_role("link", name="Security settings").click()
    expect(heading(page)).to_have_text("Security settings")
    expect(page.get_by_text("You have no passkeys.")).to_be_visible()
    page.get_by_label("Name for this passkey").fill("Work laptop")
    page.wait_for_load_state("load")  # passkeys.js attached before the click
    page.get_by_role("button", name="Add a passkey").click()
    expect(page.get_by_text("Your passkey ‘Work laptop’ is added.")).to_be_visible()
    row = page.locator("#passkeys tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Work laptop")
    expect(row).to_contain_text("Not used yet")
    check_accessibility(page)

    page.get_by_role("button", name="Sign out", exact=True).click()
    sign_in(page, SAM)
    page.wait_for_url("**/second-factor/verify")
    expect(heading(page)).to_have_text("Use your passkey")
    check_accessibility(page)
    page.goto("/dashboard")
    page.wait_for_url("**/login**")  # nothing opens before the passkey
    sign_in(page, SAM)
    page.wait_for_url("**/second-factor/verify")
    page.wait_for_load_state("load")  # passkeys.js attached before the click
    page.get_by_role("button", name="Use a passkey").click()
    page.wait_for_url("**/dashboard")
    expect(heading(page)).to_have_text("Hello, Sam Whitfield")

    page.goto("/second-factor")
    expect(page.locator("#passkeys tbody tr")).not_to_contain_text("Not used yet")

    # Later, past the "Confirm it's you" window: the password and the same passkey.
    with live_server.app.app_context():
        an_hour_ago = now_utc() - timedelta(hours=1)
        db.session.execute(sa.update(UserSession).values(authenticated_at=an_hour_ago))
        db.session.commit()
    page.goto("/profile/password")
    page.wait_for_url("**/confirm-its-you**")
    expect(page.locator('input[name="code"]')).to_have_count(0)  # no app: the passkey
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.wait_for_load_state("load")  # passkeys.js attached before the click
    page.get_by_role("button", name="Continue with a passkey").click()
    page.wait_for_url("**/profile/password")
    expect(heading(page)).to_have_text("Change your password")
