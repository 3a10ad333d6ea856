"""Find a slot in Chromium: the proposals fit a phone (no sideways scroll at 390 px) and a
desktop, pass axe, show their variants on demand, and "Use this" fills in the series form."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_browser import ALEX, check_accessibility, settled_width, sign_in

pytestmark = pytest.mark.browser

QUERY = "weekdays=0&weekdays=1&weekdays=2&weekdays=3&weekdays=4&earliest=09:00&latest_end=17:00"


def _find_page(page: Page) -> None:
    sign_in(page, ALEX)
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="Riverside Neighbourhood MDT").first.click()
    team = re.search(r"/teams/(\d+)", page.url)[1]  # type: ignore[index]
    page.goto(f"/teams/{team}/slots/find?{QUERY}&minutes=60&kind=monthly")


def test_coordinator_compares_proposals_on_a_phone_and_uses_one(page: Page, tmp_path: Path):
    _find_page(page)
    cards = page.locator(".app-proposal")
    expect(cards).to_have_count(5)
    expect(cards.first).to_contain_text("Best: everyone is free at every meeting.")
    page.screenshot(path=tmp_path / "find-1280.png", full_page=True)
    check_accessibility(page)

    page.set_viewport_size({"width": 390, "height": 844})
    width = settled_width(page, 390)
    assert width <= 390, width
    first = cards.first
    first.get_by_text("Also possible:").click()
    variant = first.get_by_role("link", name=re.compile(r"^Use \d\d:\d\d"))
    expect(variant.first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=tmp_path / "find-390.png", full_page=True)
    check_accessibility(page)

    time_text = variant.first.inner_text()[4:9]
    variant.first.click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up protected time")
    expect(page.get_by_label("Start time")).to_have_value(time_text)
