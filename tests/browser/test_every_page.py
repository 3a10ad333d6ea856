"""Every page a demo user can reach, in Chromium, on a phone and on a desktop (issue 22, item 5
and its measures): at 390 px wide no page scrolls sideways (`scrollWidth` at most 390), and
axe-core finds no violation of any impact at 390 or 1280 px, on the pages as served and on the
error page of each form submitted empty.

The pages are found as a person finds them: from the dashboard, by following the links of each
page (same site, HTML pages only), seeded with every GET route of the route inventory that the
demo's ids fill in, so pages linked from nowhere are visited too. A route with many rows (a
meeting, a case, a patient) is visited for at most a few of them: the same template with other
data adds time, not coverage. Everything found is reported at once.
"""

from __future__ import annotations

import contextlib
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urlsplit

import pyotp
import pytest
import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from mdt.accounts.models import User
from mdt.agenda.models import Case
from mdt.demo.data import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_email
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.teams.models import Team
from tests.browser.test_browser import ALEX, SAM, TIMEOUT_MS, LiveServer, sign_in
from tests.browser.test_meeting_flow import PRIYA
from tests.form_pages import endpoint_of
from tests.test_route_inventory import INVENTORY

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
#: The demo's people, one per kind of user (Alex is the practice manager who coordinates
#: Riverside, and the administrator).
USERS = {
    "practice manager and administrator": ALEX,
    "GP and chair": PRIYA,
    "district nurse": demo_email("jo.clarke", "Northside Community Health"),
    "social worker": SAM,
    "signed out": None,
}
#: Rows of one route visited at most per person: enough for a scheduled and a held meeting.
PER_ROUTE = 2
#: Not pages: files (feeds, spreadsheets), the FHIR API's JSON, and signing out.
NOT_PAGES = {"static", "accounts.logout", "core.healthz", "audit.export"}


def _is_page(endpoint: str) -> bool:
    route = INVENTORY.get(endpoint)
    return bool(
        endpoint
        and endpoint not in NOT_PAGES
        and not endpoint.startswith(("fhir_api.", "oidc."))
        and (route is None or not route.path.endswith((".csv", ".ics")))
    )


@dataclass
class Found:
    """What the crawl saw: pages per user, too-wide pages, axe violations, forms to submit."""

    pages: dict[str, list[str]] = field(default_factory=dict)
    too_wide: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    #: (endpoint, fields) -> (user, page path, index of the form on the page)
    forms: dict[tuple[str, tuple[str, ...]], tuple[str, str, int]] = field(default_factory=dict)
    endpoints: set[str] = field(default_factory=set)
    #: routes (and error statuses) axe-core has checked: once each, whoever saw them first
    axed: set[str] = field(default_factory=set)
    #: status -> the first path that answered it (an error page, checked once)
    error_pages: dict[int, str] = field(default_factory=dict)


#: The elements that stick out past the viewport's right edge (the deepest few), to say why.
WIDE_ELEMENTS = """width => {
  const out = [];
  for (const el of document.querySelectorAll('body *')) {
    const r = el.getBoundingClientRect();
    if (r.right > width + 0.5 && r.width > 0 && ![...el.children].some(c =>
        c.getBoundingClientRect().right > width + 0.5)) {
      out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
        (typeof el.className === 'string' && el.className
          ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
        ' (' + Math.round(r.right) + ' px): ' + (el.textContent || '').trim().slice(0, 40));
    }
  }
  return out.slice(0, 4);
}"""

#: Each form: its method, action, and whether it has a field a person fills in.
FORMS = """() => [...document.forms].map(f => ({
  method: (f.getAttribute('method') || 'get').toLowerCase(),
  action: f.getAttribute('action') || location.pathname,
  fields: [...f.elements].filter(e => e.name && !['hidden', 'submit', 'button'].includes(e.type)
    && e.tagName !== 'BUTTON').map(e => e.name).sort(),
}))"""

#: Empties a form as a hurried person would leave it, then submits it with its first button.
EMPTY_AND_SUBMIT = """index => {
  const form = document.forms[index];
  for (const e of form.elements) {
    if (e.type === 'hidden' || e.tagName === 'BUTTON' || e.type === 'submit') continue;
    if (e.type === 'radio' || e.type === 'checkbox') e.checked = false;
    else if (e.tagName === 'SELECT') e.selectedIndex = 0;
    else e.value = '';
  }
  const button = form.querySelector('button:not([type]), button[type=submit], input[type=submit]');
  form.noValidate = true;
  button ? form.requestSubmit(button) : form.requestSubmit();
}"""


def _demo_ids(app: Flask, email: str | None) -> dict[str, object]:
    """The ids that fill the inventory's paths: the user's own, their first team's, and the
    team's next scheduled meeting (the one with a full agenda)."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email == email)) if email else None
        first_team = db.session.scalar(sa.select(Team).order_by(Team.id))
        team = user.memberships[0].team if user and user.memberships else first_team
        meeting = db.session.scalar(
            sa.select(Meeting)
            .where(Meeting.team_id == team.id, Meeting.status == MeetingStatus.SCHEDULED)
            .order_by(Meeting.starts_at)
        )
        ids: dict[str, object] = {"team_id": team.id, "series_id": None}
        if user:
            ids |= {"member_id": user.id, "org_id": user.organisation_id}
            ids["membership_id"] = user.memberships[0].id if user.memberships else None
        if meeting:
            ids["meeting_id"] = meeting.id
            case = db.session.scalar(
                sa.select(Case).where(Case.meeting_id == meeting.id).order_by(Case.id)
            )
            ids["case_id"] = case.id if case else None
            ids["patient_id"] = case.patient_id if case else None
        return ids


def _seeds(app: Flask, email: str | None) -> list[str]:
    ids = _demo_ids(app, email)
    seeds = ["/dashboard" if email else "/login"]
    for route in INVENTORY.values():
        if route.method != "GET":
            continue
        try:
            path = route.path.format(**ids)
        except KeyError:
            continue  # an id this user's demo world does not give (the links may)
        if "None" not in path:
            seeds.append(path)
    return seeds


def _check_here(page: Page, label: str, found: Found, axe: bool = True) -> None:
    """The page as it is now, at 390 px then 1280 px: its width and axe-core."""
    page.set_viewport_size(PHONE)
    page.wait_for_load_state("load")
    # The NHS.UK header folds its navigation into "More" on the resize event, a moment after
    # the viewport narrows: measured at once on a loaded host it is still 1280 px wide. A page
    # still wider after 3 s is recorded.
    with contextlib.suppress(PlaywrightTimeoutError):
        page.wait_for_function(
            f"document.documentElement.scrollWidth <= {PHONE['width']}", timeout=3000
        )
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > PHONE["width"]:
        why = "; ".join(page.evaluate(WIDE_ELEMENTS, PHONE["width"]))
        found.too_wide.append(f"{label}: {width} px ({why})")
        print("WIDE", found.too_wide[-1], flush=True)
    if not axe:
        return
    for size in (PHONE, DESKTOP):
        page.set_viewport_size(size)
        for v in Axe().run(page).response["violations"]:
            targets = "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"][:3])
            found.violations.append(
                f"{label} at {size['width']} px: {v['id']} ({v['impact']}) {targets}"
            )
            print("AXE", found.violations[-1], flush=True)


def _local_links(page: Page, base: str) -> Iterator[str]:
    for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
        url, _ = urldefrag(href)
        if url.startswith(base):
            yield url.removeprefix(base) or "/"


def _crawl(page: Page, app: Flask, base: str, who: str, seeds: list[str], found: Found) -> None:
    queue, seen, per_route = deque(seeds), set[str](), Counter[str]()
    visited = found.pages.setdefault(who, [])
    while queue:
        path = queue.popleft()
        endpoint = endpoint_of(app, "GET", urlsplit(path).path)
        if path in seen or not _is_page(endpoint) or per_route[endpoint] >= PER_ROUTE:
            continue
        seen.add(path)
        # Asked first without rendering: a page this person may not open (403, 404) is the
        # same error page each time, checked once per status in the browser.
        answer = page.request.get(path, max_redirects=0)
        status = answer.status
        if 300 <= status < 400:
            location = answer.headers["location"].removeprefix(base)
            if not location.startswith("/login"):
                found.endpoints.add(endpoint)  # reached: it sends the person on
            queue.append(location)
            continue
        if status != 200:
            if status in found.error_pages:
                continue
            found.error_pages[status] = path
        else:
            per_route[endpoint] += 1
            found.endpoints.add(endpoint)
        page.goto(path)
        visited.append(f"{path} ({status})")
        # axe-core once per route: other rows and people see the same markup.
        kind = endpoint if status == 200 else str(status)
        _check_here(page, f"{who} {path}", found, axe=kind not in found.axed)
        found.axed.add(kind)
        queue.extend(_local_links(page, base))
        for index, form in enumerate(page.evaluate(FORMS)):
            if form["method"] == "post" and form["fields"]:
                key = (endpoint_of(app, "POST", form["action"]), tuple(form["fields"]))
                found.forms.setdefault(key, (who, path, index))


def _submit_forms_empty(pages: dict[str, Page], found: Found) -> int:
    """Each form once, emptied and submitted: its error page checked like any other."""
    submitted = 0
    for (endpoint, _), (who, path, index) in found.forms.items():
        page = pages[who]
        page.goto(path)
        if not page.evaluate("i => Boolean(document.forms[i])", index):
            continue  # gone since (an earlier form, say, closed the meeting)
        try:
            with page.expect_navigation():
                page.evaluate(EMPTY_AND_SUBMIT, index)
        except PlaywrightTimeoutError:
            pass  # answered in place (by the page's script): checked as it is now
        _check_here(page, f"{who} {endpoint} submitted empty from {path}", found)
        submitted += 1
    return submitted


def _signed_in(
    browser: Browser, base: str, who: str, email: str | None, found: Found
) -> tuple[BrowserContext, Page]:
    """A context of the person's own, signed in; the second step of signing in (the
    administrator's code) is a page too, checked on the way."""
    context = browser.new_context(base_url=base, viewport=PHONE)
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    if email:
        page.goto("/login")
        page.get_by_label("Email address").fill(email)
        page.get_by_label("Password").fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")
        if "/second-factor/verify" in page.url:
            found.endpoints.add("mfa.verify")
            found.pages.setdefault(who, []).append("/second-factor/verify (200)")
            _check_here(page, f"{who} /second-factor/verify", found)
            page.get_by_label("Code", exact=True).fill(pyotp.TOTP(DEMO_TOTP_SECRET).now())
            page.get_by_role("button", name="Continue").click()
        page.wait_for_url("**/dashboard")
    return context, page


def test_every_page_fits_a_phone_and_axe_finds_nothing(
    browser: Browser, live_server: LiveServer
) -> None:
    started = time.monotonic()
    app, base, found = live_server.app, live_server.url, Found()
    pages: dict[str, Page] = {}
    contexts = []
    for who, email in USERS.items():
        context, pages[who] = _signed_in(browser, base, who, email, found)
        contexts.append(context)
        _crawl(pages[who], app, base, who, _seeds(app, email), found)
    submitted = _submit_forms_empty(pages, found)
    for context in contexts:
        context.close()

    counts = {who: len(visited) for who, visited in found.pages.items()}
    print(f"pages per user: {counts}; forms submitted empty: {submitted}")
    print(f"took {time.monotonic() - started:.0f} s")
    print("\n".join(["WIDE:", *found.too_wide, "AXE:", *found.violations]))
    pages_everywhere = {e for e, r in INVENTORY.items() if r.method == "GET" and _is_page(e)}
    # Not in the demo: a legal hold to lift, an unused set-password link (the page is for
    # someone who has not signed in yet; tests/accounts render it), a passkey to remove (one
    # needs an authenticator: tests/browser/test_passkey_flow.py) and another person's second
    # factor to reset (Alex has the demo's only one, and may not reset his own).
    not_in_demo = {"retention.lift", "accounts.set_password", "mfa.passkeys.remove", "mfa.reset"}
    assert pages_everywhere - found.endpoints - not_in_demo == set(), "pages nobody reached"
    assert submitted > 20
    assert not found.too_wide, "wider than a phone (390 px):\n" + "\n".join(found.too_wide)
    assert not found.violations, "axe-core:\n" + "\n".join(found.violations)


def test_reports_across_teams_scroll_in_their_own_region_with_the_team_column_held(
    page: Page,
) -> None:
    sign_in(page, ALEX)
    page.wait_for_url("**/dashboard")
    for width in (DESKTOP["width"], PHONE["width"]):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto("/reports/teams")
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        region = page.get_by_role("region", name="Measures by team")
        region.scroll_into_view_if_needed()  # below the period's date boxes on a phone
        expect(region).to_have_attribute("tabindex", "0")  # scrolls from the keyboard too
        team = page.locator("#across-teams tbody tr th").first
        before = team.bounding_box()
        region.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
        expect(page.get_by_role("columnheader", name="In protected time")).to_be_in_viewport()
        after = team.bounding_box()
        assert before and after and after["x"] == before["x"], "the team column stays in view"
        expect(team).to_be_in_viewport()
