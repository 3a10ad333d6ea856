"""The NHS.UK patterns in Chromium, on the page that adds a case to the agenda (issue 22,
item 6): a date typed in the day, month and year boxes, a date that does not exist (31 2
2027) refused with what was typed kept and the wrong box marked, the character count
counting as the person types, the title starting "Error: ", and the reason an urgent case
cannot wait asked for only once the agenda has closed (see test_browser.py for how the app
is served and checked with axe-core)."""

from __future__ import annotations

import re
from datetime import timedelta

import sqlalchemy as sa
from playwright.sync_api import Page, expect

from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.teams.models import Team
from tests.browser.dates import date_group, expect_date, fill_date
from tests.browser.test_browser import LiveServer, check_accessibility, sign_in
from tests.browser.test_flows import RIVERSIDE
from tests.browser.test_meeting_flow import PRIYA

ERROR_BOX = re.compile(r"\bnhsuk-input--error\b")
LATE = "Why this urgent case cannot wait for the next meeting"


def _open_and_closed_agendas(live_server: LiveServer) -> tuple[int, int]:
    """Riverside's meetings: one booked a month ahead (its agenda open), and its next one
    moved to start in an hour, with a cut-off two working days before (closed)."""
    with live_server.app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.name == RIVERSIDE))
        scheduled = sa.select(Meeting).where(
            Meeting.team_id == team.id, Meeting.status == MeetingStatus.SCHEDULED
        )
        soon = db.session.scalar(scheduled.order_by(Meeting.starts_at).limit(1))
        in_a_month = now_utc() + timedelta(days=30)
        later = Meeting(
            team_id=team.id,
            starts_at=in_a_month,
            ends_at=in_a_month + timedelta(minutes=90),
            outside_protected_reason="Extra meeting",
        )
        db.session.add(later)
        soon.starts_at = now_utc() + timedelta(hours=1)
        soon.ends_at = soon.starts_at + timedelta(minutes=90)
        team.agenda_cutoff_days = max(team.agenda_cutoff_days, 2)
        db.session.commit()
        return later.id, soon.id


def test_adding_a_case_uses_the_nhsuk_date_input_character_count_and_late_reason(
    page: Page, live_server: LiveServer
) -> None:
    open_id, closed_id = _open_and_closed_agendas(live_server)
    sign_in(page, PRIYA)
    page.wait_for_url("**/dashboard")

    # Before the cut-off: no reason is asked for.
    page.goto(f"/meetings/{open_id}/cases/new")
    expect(page.get_by_label(LATE)).to_have_count(0)

    # The character count says the limit, then counts down as the person types.
    reason = page.get_by_label("Reason for discussion")
    count = page.locator(".nhsuk-character-count", has=reason)
    expect(count.locator(".nhsuk-character-count__status")).to_have_text(
        "You have 1,000 characters remaining"
    )
    reason.fill("Falls at home")  # 13 characters
    expect(count.locator(".nhsuk-character-count__status")).to_have_text(
        "You have 987 characters remaining"
    )
    live = count.locator(".nhsuk-character-count__sr-status")
    expect(live).to_have_attribute("aria-live", "polite")

    # A date that does not exist: refused, the day marked, what was typed kept.
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_label("Full name").fill("Ada Example")
    fill_date(page, "Date of birth", "2027-02-31")
    page.get_by_label("Registered GP practice").select_option(index=1)
    page.get_by_role("button", name="Add to agenda").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text("Date of birth must be a real date")
    expect(page).to_have_title(re.compile(r"^Error: Add a case"))
    expect_date(page, "Date of birth", "31", "2", "2027")
    birth = date_group(page, "Date of birth")
    expect(birth.get_by_label("Day", exact=True)).to_have_class(ERROR_BOX)
    expect(birth.get_by_label("Month", exact=True)).not_to_have_class(ERROR_BOX)
    expect(reason).to_have_value("Falls at home")
    expect(count.locator(".nhsuk-character-count__status")).to_have_text(
        "You have 987 characters remaining"
    )
    check_accessibility(page)
    summary.get_by_role("link", name="Date of birth must be a real date").click()
    expect(birth.get_by_label("Day", exact=True)).to_be_focused()

    # After the cut-off: the reason is asked for, and required.
    page.goto(f"/meetings/{closed_id}/cases/new")
    expect(page.get_by_label(LATE)).to_be_visible()
    page.get_by_label("NHS number").fill("943 476 5919")
    page.get_by_label("Full name").fill("Ada Example")
    fill_date(page, "Date of birth", "1950-03-15")
    page.get_by_label("Registered GP practice").select_option(index=1)
    page.get_by_label("Reason for discussion").fill("Discharged from hospital today")
    page.get_by_role("radio", name="Urgent").check()
    page.get_by_role("button", name="Add to agenda").click()
    expect(page.locator("#late_reason-error")).to_contain_text(
        "Say why this urgent case cannot wait for the next meeting"
    )
    expect_date(page, "Date of birth", "15", "3", "1950")
    check_accessibility(page)
