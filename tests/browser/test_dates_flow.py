"""Booking, rescheduling and closing only when it makes sense, in Chromium on the demo: a
meeting booked or moved into the past is refused with the error on the date field, the close
page before the start offers no button, and the valid ones go through (issue 20, items 1-3;
see test_browser.py for how the app is served and checked with axe-core)."""

from __future__ import annotations

import re
from datetime import timedelta

from playwright.sync_api import Page, expect

from mdt.core.days import today_in
from tests.browser.dates import fill_date
from tests.browser.test_browser import ALEX, LiveServer, check_accessibility, heading, sign_in
from tests.browser.test_flows import RIVERSIDE
from tests.browser.test_meeting_flow import _meeting_starting_now

PAST = "The meeting must start in the future: choose a later date"


def _fill_when(page: Page, day: str, start: str = "12:30", end: str = "14:00") -> None:
    fill_date(page, "Date", day)
    page.get_by_label("Start time").fill(start)
    page.get_by_label("End time").fill(end)


def test_coordinator_books_reschedules_and_closes_only_when_it_makes_sense(
    page: Page, live_server: LiveServer
) -> None:
    today = today_in("Europe/London")
    yesterday, in_a_week = today - timedelta(days=1), today + timedelta(days=7)
    sign_in(page, ALEX)
    page.wait_for_url("**/dashboard")
    page.locator("main").get_by_role("link", name=RIVERSIDE).click()
    page.get_by_role("link", name="Protected time").click()
    page.get_by_role("link", name="Book outside protected time").click()

    # Yesterday: refused, the error on the date field, what was typed kept.
    _fill_when(page, yesterday.isoformat())
    page.get_by_label("Why outside protected time").fill("Urgent safeguarding case")
    page.get_by_role("button", name="Book meeting").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(PAST)
    expect(page.locator("#date-error")).to_contain_text(PAST)
    expect(page.get_by_label("Why outside protected time")).to_have_value(
        "Urgent safeguarding case"
    )
    check_accessibility(page)
    # The summary's link takes the person to the date.
    summary.get_by_role("link", name=PAST).click()
    expect(page.locator("#date-day")).to_be_focused()  # the date's first box

    # Next week: booked.
    _fill_when(page, in_a_week.isoformat())
    page.get_by_role("button", name="Book meeting").click()
    expect(heading(page)).to_have_text(f"{RIVERSIDE} meeting")
    meeting_url = page.url

    # Moving it to yesterday without a reason: both problems at once; it does not move.
    page.get_by_role("link", name="Reschedule").click()
    _fill_when(page, yesterday.isoformat())
    page.get_by_label("Reason for the change").fill("")
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator("#date-error")).to_contain_text(PAST)
    expect(page.locator("#reason-error")).to_contain_text("Give the reason")
    expect(page.locator(".nhsuk-error-summary li")).to_have_count(2)
    check_accessibility(page)
    # Into the day after: moved.
    _fill_when(page, (in_a_week + timedelta(days=1)).isoformat(), "13:00", "14:30")
    page.get_by_label("Reason for the change").fill("Room double-booked")
    page.get_by_role("button", name="Reschedule").click()
    expect(page.locator(".app-flash")).to_contain_text("The meeting is moved")
    expect(page.locator("main")).to_contain_text(
        f"{in_a_week + timedelta(days=1):%a %-d %b %Y}, 13:00–14:30"
    )

    # Its close page, before it starts: it says why, and there is no button to press.
    page.goto(meeting_url.removesuffix("/") + "/close")
    expect(page.locator("#not-started")).to_contain_text("has not started yet")
    close_button = page.get_by_role("button", name="Close the meeting and send the minutes")
    expect(close_button).to_have_count(0)
    check_accessibility(page)

    # A meeting that has begun closes, and its minutes are sent.
    started = _meeting_starting_now(live_server)
    page.goto(f"/meetings/{started}/close")
    expect(page.locator("#not-started")).to_have_count(0)
    close_button.click()
    expect(heading(page)).to_contain_text("Minutes")
    expect(page.locator(".app-flash")).to_contain_text(re.compile("minutes have been sent"))
