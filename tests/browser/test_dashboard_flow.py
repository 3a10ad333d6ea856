"""The demo coordinator's dashboard in Chromium (issue 22, items 4 and 8): Riverside's next
meeting at a glance, "Remind those who still owe" pressed, at 1280 and 390 px wide with no
sideways scroll and no axe-core violation of any impact; and the two small defects: the
matters arising table is a table (its caption above its header row), and the reply page has
no duplicate ids and a label for every radio."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.browser.test_browser import ALEX, LiveServer, settled_width, sign_in
from tests.browser.test_meeting_day_flow import no_violations
from tests.browser.test_meeting_flow import PRIYA

WIDTHS = (1280, 390)


def fits(page: Page, width: int) -> None:
    scroll = settled_width(page, width)
    assert scroll <= width, f"{page.url} is {scroll} px wide at {width} px"


def test_the_coordinator_sees_the_next_meeting_and_reminds_those_who_owe(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, ALEX)
    page.wait_for_url("**/dashboard")
    riverside = page.locator("section.app-run-panel", has_text="Riverside Neighbourhood MDT")
    expect(riverside).to_have_count(1)
    expect(riverside.locator("[id^=replies-]")).to_contain_text(re.compile(r"\d+ of \d+ replied"))
    expect(riverside.locator("[id^=replies-]")).to_contain_text("Not replied yet:")
    expect(riverside.locator("[id^=agenda-]")).to_contain_text("6 cases;")
    expect(riverside.locator("p[id^=readiness-]")).to_contain_text(
        re.compile(r"\d+ of \d+ preparations done")
    )
    expect(riverside.locator("progress")).to_be_visible()
    # Jo Clarke sent apologies; Ben Hughes covers her and owes her preparation, not she.
    owing = riverside.locator("ol[id^=owing-]")
    expect(owing).to_contain_text("Ben Hughes: 6 patients")
    expect(owing).not_to_contain_text("Jo Clarke")
    expect(riverside.locator("p[id^=overdue-]")).to_contain_text("2 overdue")
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        fits(page, width)
        no_violations(page)

    riverside.get_by_role("button", name="Remind those who still owe").click()
    page.wait_for_url("**/dashboard#team-*")
    expect(page.locator(".app-flash")).to_contain_text("Reminder sent to Ben Hughes")
    expect(riverside.locator("[id^=reminded-]")).to_contain_text("Ben Hughes")
    fits(page, 390)
    no_violations(page)
    riverside.get_by_role("button", name="Remind those who still owe").click()
    expect(page.locator(".app-flash")).to_contain_text("Already reminded today")
    expect(page.locator(".app-flash")).not_to_contain_text("Reminder sent to")


def test_matters_arising_is_a_table_and_every_reply_radio_has_its_label(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, PRIYA)
    page.wait_for_url("**/dashboard")
    page.locator("section.app-run-panel").get_by_role("link", name="Agenda").click()
    page.wait_for_url("**/agenda")  # on a loaded host page.url is still the dashboard's
    for path in (page.url, page.url.replace("/agenda", "/run?case=matters")):
        page.goto(path)
        table = page.locator("#matters-arising table").first
        assert table.evaluate("t => getComputedStyle(t).display") == "table"
        caption = table.locator("caption").bounding_box()
        header = table.locator("thead tr").bounding_box()
        assert caption and header and caption["y"] + caption["height"] <= header["y"] + 1, path
        assert caption["width"] >= header["width"] - 1, path  # across the table, not beside

    page.goto(page.url.split("/run")[0])  # the meeting's page, with Priya's reply form
    duplicates = page.evaluate(
        """() => {
            const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
            return ids.filter((id, i) => ids.indexOf(id) !== i);
        }"""
    )
    assert duplicates == []
    radios = page.locator("input[type=radio][name=reply]")
    expect(radios).to_have_count(3)
    for i in range(3):
        radio_id = radios.nth(i).get_attribute("id")
        assert page.locator(f"label[for='{radio_id}']").count() == 1
    expect(page.get_by_label("Attending in person")).to_have_attribute("type", "radio")
    no_violations(page)
