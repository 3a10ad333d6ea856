"""Running a meeting end to end in Chromium: meeting mode, attendance, an outcome and two
actions, closing it; the owner sees the actions and marks one done; the team's page shows
it (see test_browser.py for how the app is served and checked with axe-core)."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from playwright.sync_api import Browser, Page, expect

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.teams.models import Team
from tests.browser.dates import fill_date
from tests.browser.test_browser import ALEX, SAM, LiveServer, check_accessibility, heading, sign_in
from tests.browser.test_flows import RIVERSIDE, _second_person

PRIYA = "priya.shah@riverside-surgery.example.org"


def _meeting_starting_now(live_server: LiveServer) -> int:
    """Riverside's next meeting, moved to have begun ten minutes ago."""
    with live_server.app.app_context():
        team_id = db.session.scalar(sa.select(Team.id).where(Team.name == RIVERSIDE))
        meeting = db.session.scalar(
            sa.select(Meeting)
            .where(Meeting.team_id == team_id, Meeting.status == MeetingStatus.SCHEDULED)
            .order_by(Meeting.starts_at)
            .limit(1)
        )
        meeting.starts_at = now_utc() - timedelta(minutes=10)
        meeting.ends_at = meeting.starts_at + timedelta(minutes=90)
        db.session.commit()
        return meeting.id


def _add_action(page: Page, description: str, owner: str, due: str) -> None:
    form = page.locator("form[data-draft^='action-']")
    form.get_by_label("What needs doing").fill(description)
    form.get_by_label("Owner").select_option(label=owner)
    fill_date(form, "Due date", due)
    form.get_by_role("button", name="Add action").click()
    expect(page.locator(".app-case-actions")).to_contain_text(description)


def test_chair_runs_the_meeting_and_the_owner_closes_an_action(
    page: Page, browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    meeting_id = _meeting_starting_now(live_server)
    due = (now_utc() + timedelta(days=7)).date().isoformat()
    sign_in(page, PRIYA)
    page.wait_for_url("**/dashboard")
    page.goto(f"/meetings/{meeting_id}")
    page.get_by_role("link", name="Meeting mode").click()
    expect(page.locator("#attendance")).to_contain_text("From replies")
    check_accessibility(page)

    # Attendance: everyone present but Jo Clarke (apologies) and Ben Hughes, her cover, late.
    rows = page.locator("#attendance tbody tr")
    for i in range(rows.count()):
        name = rows.nth(i).locator("td").first.inner_text()
        absent = "Jo Clarke" in name.split("\n")[0] or "Ben Hughes" in name
        rows.nth(i).locator("select").select_option(label="Apologies" if absent else "Present")
    page.get_by_role("button", name="Confirm attendance as replied").click()
    expect(page.locator("#live-quorum")).to_contain_text("Not quorate")
    expect(page.locator("#live-quorum")).to_contain_text("✗ Community nursing")
    # Ben joins on the video call after all: quorate.
    page.locator("#attendance summary").click()
    page.get_by_label("Attendance of Ben Hughes").select_option(label="Remote")
    page.get_by_role("button", name="Save attendance").click()
    expect(page.locator("#live-quorum")).to_contain_text("Quorate")
    expect(page.locator("#live-quorum")).not_to_contain_text("Not quorate")

    # The first case: Edith Barnes. An outcome and two actions for Sam Whitfield.
    expect(page.locator("#case-title")).to_contain_text("Edith Barnes")
    expect(page.locator(".app-timer__value")).to_have_text(re.compile(r"^\d+:\d\d$"))
    page.get_by_label("Discussion summary").fill("Agreed OT assessment and carer support.")
    page.get_by_label("Plan agreed").check()
    page.get_by_role("button", name="Save outcome").click()
    expect(page.locator(".app-run-agenda")).to_contain_text("Plan agreed")
    sam_label = re.compile(r"^Sam Whitfield \(")
    owner = page.locator(
        "form[data-draft^='action-'] select[name=owner_id] option", has_text=sam_label
    )
    owner_label = owner.first.inner_text()
    _add_action(page, "Carer's assessment for her daughter", owner_label, due)
    _add_action(page, "Ask the care agency about night visits", owner_label, due)
    # Saved actions leave no draft behind: the form is empty again.
    expect(page.get_by_label("What needs doing")).to_have_value("")
    expect(page.locator(".app-draft-restored")).to_have_count(0)
    page.screenshot(path=str(tmp_path / "meeting-mode.png"), full_page=True)
    check_accessibility(page)

    # The session ends while the minute-taker types the next case's outcome: nothing is lost.
    page.get_by_role("link", name=re.compile("^Next")).click()
    expect(page.locator("#case-title")).to_contain_text("Arthur Kemp")
    typed = "Wife exhausted; respite to be arranged before Christmas."
    page.get_by_label("Discussion summary").fill(typed)
    page.context.clear_cookies()
    page.get_by_label("Plan agreed").check()
    page.get_by_role("button", name="Save outcome").click()
    expect(heading(page)).to_have_text("Sign in")
    page.get_by_label("Email address").fill(PRIYA)
    page.get_by_label("Password").fill("mdt-demo-password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#case-title")).to_contain_text("Arthur Kemp")
    expect(page.get_by_label("Discussion summary")).to_have_value(typed)
    expect(page.locator(".app-draft-restored")).to_be_visible()

    # Close: the cases not reached roll forward; the minutes are sent.
    page.get_by_role("link", name="Close the meeting").click()
    check_accessibility(page)
    page.get_by_role("button", name="Close the meeting and send the minutes").click()
    expect(heading(page)).to_contain_text("Minutes")
    expect(page.locator("main")).to_contain_text("Edith Barnes: Plan agreed")
    expect(page.locator("main")).to_contain_text("Carer's assessment for her daughter")
    check_accessibility(page)

    # Sam sees both actions in My actions and marks one done.
    sam = _second_person(browser, live_server, SAM)
    sam.get_by_role("link", name="My actions").first.click()
    expect(heading(sam)).to_have_text("My actions")
    first = sam.locator(".app-my-action", has_text="Carer's assessment for her daughter")
    second = sam.locator(".app-my-action", has_text="Ask the care agency about night visits")
    expect(first).to_be_visible()
    expect(second).to_be_visible()
    check_accessibility(sam)
    first.get_by_label("What was done").fill("Assessment booked for next Tuesday")
    first.get_by_role("button", name="Mark done").click()
    expect(sam.locator(".app-closed-actions")).to_contain_text(
        "Carer's assessment for her daughter"
    )
    sam.screenshot(path=str(tmp_path / "my-actions.png"), full_page=True)

    # The coordinator's view of the team's actions shows it done.
    alex = _second_person(browser, live_server, ALEX)
    alex.goto("/teams/")
    alex.locator("main").get_by_role("link", name=RIVERSIDE).click()
    alex.get_by_role("link", name="Team actions").click()
    row = alex.locator("#team-actions tr", has_text="Carer's assessment for her daughter")
    expect(row).to_have_attribute("data-status", "done")
    expect(row).to_contain_text("Assessment booked for next Tuesday")
    check_accessibility(alex)
    alex.screenshot(path=str(tmp_path / "team-actions.png"), full_page=True)
    print(f"screenshots in {tmp_path}")
