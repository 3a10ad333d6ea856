"""The protected-time and preparation stories, end to end in Chromium (see test_browser.py
for how the app is served and checked with axe-core)."""

from __future__ import annotations

import re

from playwright.sync_api import Browser, Page, expect

from tests.browser.test_browser import ALEX, SAM, LiveServer, check_accessibility, heading, sign_in

RIVERSIDE = "Riverside Neighbourhood MDT"


def _second_person(browser: Browser, live_server: LiveServer, email: str) -> Page:
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    other = context.new_page()
    sign_in(other, email)
    other.wait_for_url("**/dashboard")
    return other


def test_coordinator_sets_up_a_monthly_slot_sees_a_clash_and_books_it(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
) -> None:
    sign_in(page, ALEX)
    page.wait_for_url("**/dashboard")
    page.locator("main").get_by_role("link", name=RIVERSIDE).click()
    page.get_by_role("link", name="Protected time").click()
    page.get_by_role("link", name="Set up protected time").click()
    check_accessibility(page)

    page.get_by_label("Name").fill("Morning MDT")
    page.get_by_label("Monthly").check()
    page.get_by_label("Which one in the month").select_option(label="First")
    page.get_by_label("Day of the week").select_option(label="Tuesday")
    page.get_by_label("Start time").fill("10:00")
    page.get_by_label("Length in minutes").fill("60")
    page.get_by_role("button", name="Check clashes").click()

    preview = page.locator("#clash-preview")
    expect(preview).to_contain_text("Dr Priya Shah")
    expect(preview).to_contain_text("Tuesday morning surgery")
    check_accessibility(page)

    page.get_by_role("button", name="Save protected time").click()
    expect(page.get_by_role("heading", name="Morning MDT")).to_be_visible()
    section = page.locator("section", has=page.get_by_role("heading", name="Morning MDT"))
    section.get_by_role("button", name=re.compile("^Book")).first.click()
    expect(heading(page)).to_have_text(f"{RIVERSIDE} meeting")
    meeting_url = page.url
    quorum = page.locator("#expected-quorum")
    expect(quorum.locator('[data-discipline="Adult social care"]')).to_have_attribute(
        "data-covered", "no"
    )
    check_accessibility(page)

    sam = _second_person(browser, live_server, SAM)
    sam.goto(meeting_url)
    sam.get_by_label("Attending remotely").check()
    sam.get_by_role("button", name="Send reply").click()
    expect(sam.locator("#your-reply")).to_have_text("Attending remotely")
    expect(sam.locator('#expected-quorum [data-discipline="Adult social care"]')).to_have_attribute(
        "data-covered", "yes"
    )
    check_accessibility(sam)

    page.reload()  # the coordinator's quorum panel shows the reply
    expect(page.locator('#expected-quorum [data-discipline="Adult social care"]')).to_contain_text(
        "Sam Whitfield"
    )


def test_social_worker_prepares_and_the_coordinator_sees_them_complete(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
) -> None:
    sign_in(page, SAM)
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="patients to prepare").click()
    expect(heading(page)).to_have_text("My prep")
    check_accessibility(page)
    cards = page.locator(".app-prep-request")
    expect(cards).to_have_count(2)
    first, second = (
        cards.nth(0).get_by_role("heading").inner_text(),
        cards.nth(1).get_by_role("heading").inner_text(),
    )

    # The first (soonest) has its form open; another opens with its "Prepare" link.
    expect(cards.nth(0).get_by_role("button", name="Save preparation")).to_be_visible()
    expect(cards.nth(1).get_by_role("button", name="Save preparation")).to_have_count(0)
    cards.nth(1).get_by_role("link", name=f"Prepare {second}").click()
    expect(cards.nth(1).get_by_role("button", name="Save preparation")).to_be_visible()
    expect(cards.nth(0).get_by_role("link", name=f"Prepare {first}")).to_be_visible()

    cards.nth(0).get_by_role("button", name=re.compile("^Not known to my service")).click()
    expect(page.get_by_text(f"{first}: marked not known to your service.")).to_be_visible()

    card = page.locator(".app-prep-request", has_text=second)
    card.get_by_label("Known to my service", exact=True).check()
    card.get_by_label("Current concerns or risks").fill("Carer at breaking point")
    card.get_by_role("button", name="Save preparation").click()
    expect(page.get_by_text(f"Your preparation for {second} is saved.")).to_be_visible()
    expect(page.get_by_text("You have nothing to prepare.")).to_be_visible()

    alex = _second_person(browser, live_server, ALEX)
    alex.goto("/meetings/mine")
    alex.get_by_role("link", name=re.compile("Tue")).first.click()
    alex.get_by_role("link", name="Readiness").click()
    expect(alex.locator('[data-person="Sam Whitfield"]')).to_have_attribute("data-complete", "yes")
    # Ben Hughes prepares in place of Jo Clarke, whom he covers.
    expect(alex.locator('[data-person="Ben Hughes"]')).to_have_attribute("data-complete", "no")
    check_accessibility(alex)
