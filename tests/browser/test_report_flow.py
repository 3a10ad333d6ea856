"""Riverside's coordinator reads the team report on the demo in Chromium: the charts are drawn
(bars and lines of real size), the numbers are in tables beside them, the CSV downloads, and
the page passes axe-core (see test_browser.py for how the app is served and checked)."""

from __future__ import annotations

import csv
import os
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.dates import expect_date, fill_date
from tests.browser.test_browser import ALEX, check_accessibility, heading, sign_in


def _drawn(page: Page, selector: str) -> list[dict[str, float]]:
    """The on-screen size of each shape matching `selector` (what a person would see)."""
    return page.eval_on_selector_all(
        selector,
        "els => els.map(e => { const r = e.getBoundingClientRect();"
        " return {width: r.width, height: r.height}; })",
    )


def test_coordinator_reads_the_team_report_and_downloads_its_figures(
    page: Page, tmp_path: Path
) -> None:
    sign_in(page, ALEX)
    page.wait_for_url("**/dashboard")
    page.get_by_role("link", name="Teams", exact=True).first.click()
    page.get_by_role("link", name="Riverside Neighbourhood MDT").click()
    page.get_by_role("link", name="Team report").click()
    expect(heading(page)).to_have_text("Riverside Neighbourhood MDT: report")
    expect(page.locator("#period")).to_contain_text("meetings counted")
    check_accessibility(page)

    # The trend: a line for each measure, with a marker per month that has data.
    trend = page.get_by_role("img", name="Core attendance and preparation by month")
    expect(trend).to_be_visible()
    lines = _drawn(page, "#chart-trend path.app-chart__line")
    assert len(lines) == 2 and all(s["width"] > 100 and s["height"] > 5 for s in lines), lines
    assert len(_drawn(page, "#chart-trend .app-chart__marker--attendance")) >= 11
    # Bars by discipline: one per core discipline, each with a visible width.
    bars = _drawn(page, "#chart-by-discipline rect.app-chart__bar")
    assert len(bars) == 4 and all(b["width"] > 50 and b["height"] > 10 for b in bars), bars
    prep = _drawn(page, "#chart-prep-by-discipline rect.app-chart__bar")
    assert len(prep) == 3 and all(b["width"] > 50 for b in prep), prep
    # The numbers beside them, and Dr Okafor (kept away by his surgery) below 2/3.
    expect(page.locator("#table-disciplines")).to_contain_text("Community nursing")
    expect(page.locator("#table-people .app-below").first).to_contain_text("Dr Tom Okafor")
    page.screenshot(path=str(tmp_path / "team-report.png"), full_page=True)
    trend.screenshot(path=str(tmp_path / "trend.png"))
    page.locator("#chart-by-discipline").screenshot(path=str(tmp_path / "by-discipline.png"))

    with page.expect_download() as download_info:
        page.locator("#csv").click()
    download = download_info.value
    assert download.suggested_filename.startswith("report-team-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    with saved.open(newline="") as f:
        rows = {(r["Measure"], r["Group"]): r for r in csv.DictReader(f)}
    assert int(rows[("Meetings counted", "")]["Value"]) >= 11
    assert float(rows[("Attendance by person", "Dr Tom Okafor")]["Percent"]) < 200 / 3

    # Choosing a period keeps it, and a wrong one is explained.
    fill_date(page, "From", "2031-01-01")
    page.get_by_role("button", name="Show report").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("date must be the same as")
    expect_date(page, "From", "1", "1", "2031")
    check_accessibility(page)
    if os.environ.get("MDT_KEEP_SCREENSHOTS"):
        print(f"screenshots in {tmp_path}")
