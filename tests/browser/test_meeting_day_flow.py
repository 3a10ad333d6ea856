"""The meeting day in Chromium, counted in clicks and page loads rather than timed (issue 22):
attendance from the replies in one click, an outcome and two actions without leaving meeting
mode and with each save in view, and one person's preparation on My prep. axe-core finds no
violation of any impact on these pages, error states included (see test_browser.py)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.models import Invitation, Reply
from tests.browser.dates import fill_date
from tests.browser.test_browser import SAM, LiveServer, sign_in
from tests.browser.test_meeting_flow import PRIYA, _meeting_starting_now


class Counted:
    """The clicks made and the pages loaded (main-frame navigations) on a page."""

    def __init__(self, page: Page) -> None:
        self.page, self.clicks, self.loads = page, 0, []
        page.on("framenavigated", lambda f: f.parent_frame is None and self.loads.append(f.url))

    def click(self, target: Locator) -> None:
        self.clicks += 1
        target.click()
        self.page.wait_for_load_state("load")

    def check(self, radio: Locator) -> None:
        """Choosing a radio answer is one click too."""
        self.clicks += 1
        radio.check()


def no_violations(page: Page) -> None:
    """axe-core on the page as it is: no violation of any impact."""
    page.wait_for_load_state("load")
    violations = Axe().run(page).response["violations"]
    report = "\n".join(
        f"- {v['id']} ({v['impact']}): {v['help']} at "
        + "; ".join(", ".join(map(str, n["target"])) for n in v["nodes"])
        for v in violations
    )
    assert not violations, f"axe-core on {page.url}:\n{report}"


def in_viewport(page: Page, element: Locator) -> bool:
    box = element.bounding_box()
    size = page.viewport_size
    assert box is not None and size is not None
    return box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def _all_replied(live_server: LiveServer, meeting_id: int) -> int:
    """Every invitee has replied (in person, or remotely for every third); none recorded."""
    with live_server.app.app_context():
        invitations = db.session.scalars(
            sa.select(Invitation).where(Invitation.meeting_id == meeting_id)
        ).all()
        for n, inv in enumerate(invitations):
            inv.reply = Reply.REMOTE if n % 3 == 2 else Reply.IN_PERSON
            inv.attendance = None
        db.session.commit()
        return len(invitations)


def test_attendance_in_one_click_and_an_outcome_and_two_actions_in_place(
    page: Page, live_server: LiveServer
) -> None:
    meeting_id = _meeting_starting_now(live_server)
    invited = _all_replied(live_server, meeting_id)
    assert invited >= 10
    sign_in(page, PRIYA)
    page.wait_for_url("**/dashboard")
    page.goto(f"/meetings/{meeting_id}/run")
    counted = Counted(page)
    in_meeting_mode = re.compile(rf"/meetings/{meeting_id}/(run|cases/\d+/(outcome|actions))")

    # Attendance: filled in from the replies, one click records them all.
    expect(page.locator("#attendance .app-from-replies")).to_have_count(invited)
    no_violations(page)
    counted.click(page.get_by_role("button", name="Confirm attendance as replied"))
    assert counted.clicks == 1
    expect(page.locator("#attendance .app-from-replies")).to_have_count(0)
    expect(page.locator("#live-quorum")).to_contain_text("Quorate")
    expect(page.locator("#live-quorum")).not_to_contain_text("Not quorate")

    # The outcome: back at the case, the message beside the outcome, in view.
    case_title = page.locator("#case-title").inner_text()
    page.get_by_label("Discussion summary").fill("Agreed OT assessment and carer support.")
    counted.check(page.get_by_label("Plan agreed"))
    counted.click(page.get_by_role("button", name="Save outcome"))
    saved = page.locator("#outcome-saved")
    expect(saved).to_contain_text("Outcome saved for")
    expect(page.locator("#case-title")).to_have_text(case_title)
    assert in_viewport(page, saved)
    expect(saved).to_be_focused()

    # A refused action (no due date) stays in meeting mode with its errors and what was typed.
    form = page.locator("form[data-draft^='action-']")
    owner = form.locator("select[name=owner_id] option", has_text=re.compile(r"^Sam Whitfield"))
    owner_label = owner.first.inner_text()
    form.get_by_label("What needs doing").fill("Carer's assessment for her daughter")
    form.get_by_label("Owner").select_option(label=owner_label)
    counted.click(form.get_by_role("button", name="Add action"))
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the due date")
    expect(page.get_by_label("What needs doing")).to_have_value(
        "Carer's assessment for her daughter"
    )
    expect(page.locator("#attendance")).to_be_attached()  # still meeting mode
    no_violations(page)  # the error state

    # Two actions: after each save, the action and its message in view.
    due = (now_utc() + timedelta(days=7)).date().isoformat()
    for description in ("Carer's assessment for her daughter", "Night visits from the agency"):
        form = page.locator("form[data-draft^='action-']")
        form.get_by_label("What needs doing").fill(description)
        form.get_by_label("Owner").select_option(label=owner_label)
        fill_date(form, "Due date", due)
        counted.click(form.get_by_role("button", name="Add action"))
        added = page.locator(".app-case-actions li", has_text=description)
        expect(added).to_be_visible()
        expect(page.locator(".app-flash--saved", has_text="Action added")).to_be_visible()
        assert in_viewport(page, added)
        assert in_viewport(page, page.locator(".app-flash--saved", has_text="Action added"))
        expect(added).to_be_focused()
    no_violations(page)

    # No page load left meeting mode; the next case is one link away.
    assert counted.loads and all(in_meeting_mode.search(url) for url in counted.loads), (
        counted.loads
    )
    counted.click(page.locator("#next-case"))
    expect(page.locator("#case-title")).not_to_have_text(case_title)
    print(f"meeting day: {counted.clicks} clicks, {len(counted.loads)} page loads")


def test_one_persons_preparation_is_one_page_two_clicks_and_four_fields(page: Page) -> None:
    sign_in(page, SAM)
    page.wait_for_url("**/dashboard")
    page.goto("/prep")
    counted = Counted(page)
    card = page.locator(".app-prep-request").first
    expect(card.locator(".app-nhs-number")).to_have_text(re.compile(r"^\d{3} \d{3} \d{4}$"))
    no_violations(page)
    card_id = card.get_attribute("id")
    fields = 0
    counted.check(card.get_by_label("Known to my service", exact=True))
    fields += 1
    for label, text in (
        ("Your involvement and latest contact", "Care review in March"),
        ("Current concerns or risks", "Carer exhausted"),
        ("What you need from the meeting", "Respite options"),
    ):
        card.get_by_label(label).fill(text)
        fields += 1
    counted.click(card.get_by_role("button", name="Save preparation"))
    expect(page.locator(".app-flash")).to_contain_text("is saved")
    expect(page.locator(f"#{card_id}")).to_have_count(0)  # done, no longer owed
    assert counted.clicks <= 2 and fields <= 4
    assert [u for u in counted.loads if "/prep" not in u] == []  # one page

    # The error state: saving the next card with no answer.
    page.locator(".app-prep-request").first.get_by_role("button", name="Save preparation").click()
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    no_violations(page)
    print(f"my prep: {counted.clicks} clicks, {fields} fields, {len(counted.loads)} page loads")
