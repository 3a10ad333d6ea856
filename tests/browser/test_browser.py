"""End to end in a real browser: Debian's Chromium, driven by Playwright, on the real app.

The app is served by werkzeug in a background thread on a database of its own (migrated and
loaded with the demo neighbourhood), so what the browser sees is what a person would see.
Every page visited is also checked with axe-core: no serious or critical violation is allowed.

Playwright's own browser download is not used: Chromium comes from Debian
(`apt-get install chromium`). Without it these tests are skipped, except in CI (CI=true),
where a skip would hide a broken pipeline, so they fail instead.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pyotp
import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from werkzeug.serving import make_server

from mdt import create_app
from mdt.core import migrate
from mdt.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET, load_demo
from mdt.extensions import db
from tests.conftest import test_config
from tests.live import closing_responses

pytestmark = pytest.mark.browser

SAM = "sam.whitfield@borough-adult-social-care.example.org"
ALEX = "alex.morgan@riverside-surgery.example.org"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
BLOCKING_IMPACTS = {"serious", "critical"}
TIMEOUT_MS = 10_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = shutil.which("chromium")
    if executable is None:
        reason = (
            "Chromium is not installed (no `chromium` on PATH): "
            "`apt-get install chromium` to run the browser tests"
        )
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; in CI (CI=true) a skipped browser test is a failure")
        pytest.skip(reason)

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=executable, headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@dataclass
class LiveServer:
    url: str
    app: Flask


@pytest.fixture
def live_server(empty_database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real app on 127.0.0.1 (a free port), with the demo loaded in its own database.

    Not the `app` fixture: its per-test transaction lives on one connection, which a server
    thread cannot share, and the browser's requests must see committed data.
    """
    migrate.upgrade(empty_database_url)
    app = create_app(test_config(empty_database_url, tmp_path))
    with app.app_context():
        load_demo()
    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield LiveServer(f"http://127.0.0.1:{server.server_port}", app)
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()
    # Close the pooled connections so that the PostgreSQL database can be dropped.
    db.state(app).engine.dispose()


@pytest.fixture
def page(browser: Browser, live_server: LiveServer) -> Iterator[Page]:
    # Set up after (so closed before) the server: no request is in flight at its shutdown.
    # No bypass_csp: the app's Content-Security-Policy (script-src 'self' 'nonce-...') does not
    # block axe-core, which Playwright evaluates through the DevTools protocol rather than as a
    # page script, so the pages are checked exactly as they are served.
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    context.close()


def settled_width(page: Page, width: int) -> int:
    """The page's width once it has had up to 3 s to fit `width`: the NHS.UK header folds its
    navigation into "More" on the resize event, a moment after the viewport narrows, so a
    width measured at once can still be the wide layout's. A page still wider is reported."""
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(f"document.documentElement.scrollWidth <= {width}", timeout=3000)
    return page.evaluate("document.documentElement.scrollWidth")


def check_accessibility(page: Page) -> None:
    """Run axe-core on the page as it is now; fail on any serious or critical violation."""
    page.wait_for_load_state("load")
    violations = Axe().run(page).response["violations"]
    blocking = [v for v in violations if v.get("impact") in BLOCKING_IMPACTS]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']}\n"
        f"  {v['helpUrl']}\n"
        + "\n".join(f"    at {', '.join(map(str, node['target']))}" for node in v["nodes"])
        for v in blocking
    )
    if blocking:
        print(report)  # shown with the failure, in the captured output
    assert not blocking, f"axe-core found serious or critical problems on {page.url}:\n{report}"


def sign_in(page: Page, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    if email == ALEX and password == DEMO_PASSWORD:
        # The demo administrator has an authenticator app (administrators always need one).
        page.wait_for_url("**/second-factor/verify")
        page.get_by_label("Code", exact=True).fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
        page.get_by_role("button", name="Continue").click()


def heading(page: Page) -> Locator:
    return page.get_by_role("heading", level=1)


def test_social_worker_signs_in_and_sees_their_team(page: Page, tmp_path: Path) -> None:
    page.goto("/login")
    expect(heading(page)).to_have_text("Sign in")
    check_accessibility(page)

    sign_in(page, SAM)

    page.wait_for_url("**/dashboard")
    expect(heading(page)).to_have_text("Hello, Sam Whitfield")
    teams = page.locator("main")
    expect(teams.get_by_role("heading", name="Your teams")).to_be_visible()
    expect(teams.get_by_role("link", name="Riverside Neighbourhood MDT")).to_be_visible()
    # Sam is not an administrator: no administration links.
    expect(teams.get_by_role("heading", name="Administration")).to_have_count(0)
    page.screenshot(path=tmp_path / "dashboard.png", full_page=True)
    check_accessibility(page)


def test_wrong_password_shows_the_problem_and_keeps_the_email(page: Page, tmp_path: Path) -> None:
    sign_in(page, SAM, "not-the-password")

    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The email address or password is wrong")
    expect(page.get_by_label("Email address")).to_have_value(SAM)
    expect(page.get_by_label("Password")).to_have_value("")
    expect(heading(page)).to_have_text("Sign in")
    page.screenshot(path=tmp_path / "login-error.png", full_page=True)
    check_accessibility(page)


def test_administrator_visits_the_main_pages(page: Page) -> None:
    sign_in(page, ALEX)
    page.wait_for_url("**/dashboard")
    expect(heading(page)).to_have_text("Hello, Alex Morgan")
    expect(page.get_by_role("heading", name="Administration")).to_be_visible()
    check_accessibility(page)

    page.goto("/teams")
    expect(heading(page)).to_have_text("Teams")
    check_accessibility(page)

    page.locator("main").get_by_role("link", name="Riverside Neighbourhood MDT").click()
    expect(heading(page)).to_have_text("Riverside Neighbourhood MDT")
    expect(page.get_by_text("Sam Whitfield").first).to_be_visible()
    check_accessibility(page)

    page.goto("/organisations")
    expect(heading(page)).to_have_text("Organisations")
    expect(page.get_by_role("link", name="Borough Adult Social Care")).to_be_visible()
    check_accessibility(page)

    page.goto("/users")
    expect(heading(page)).to_have_text("Users")
    expect(page.get_by_role("link", name="Sam Whitfield")).to_be_visible()
    check_accessibility(page)
