"""An administrator places a legal hold and answers a subject access request on the demo in
Chromium; each page passes axe-core (see test_browser.py for how the app is served)."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.test_browser import ALEX, check_accessibility, heading, sign_in

EDITH = "999 000 0018"  # a demo patient (the 999 range is never issued to real people)


def test_administrator_places_a_legal_hold_and_answers_a_subject_access_request(
    page: Page, tmp_path: Path
) -> None:
    sign_in(page, ALEX)
    page.wait_for_url("**/dashboard")
    page.locator("main").get_by_role("link", name="Retention and legal holds").click()
    expect(heading(page)).to_have_text("Retention and legal holds")
    check_accessibility(page)

    page.get_by_role("link", name="Place a legal hold").click()
    page.get_by_role("button", name="Place the hold").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter the NHS number")
    check_accessibility(page)
    page.get_by_label("NHS number").fill(EDITH)
    page.get_by_label("Why the records must be kept").fill("Complaint 2026/31 under review")
    page.get_by_role("button", name="Place the hold").click()
    expect(heading(page)).to_have_text("Retention and legal holds")
    row = page.locator("#falling-due tr", has_text="Edith Barnes")
    expect(row).to_contain_text("Complaint 2026/31 under review")
    check_accessibility(page)

    page.goto("/dashboard")
    page.locator("main").get_by_role("link", name="Subject access").click()
    expect(heading(page)).to_have_text("Subject access")
    check_accessibility(page)
    page.get_by_label("NHS number").fill(EDITH)
    page.get_by_role("button", name="Produce the record").click()
    expect(heading(page)).to_have_text("Records held about Edith Barnes")
    expect(page.locator("#views")).to_contain_text("Alex Morgan")
    check_accessibility(page)
    page.screenshot(path=tmp_path / "subject-access.png", full_page=True)

    page.go_back()
    page.get_by_label("NHS number").fill(EDITH)
    page.get_by_label("A JSON file (FHIR R4 resources), for another system").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Produce the record").click()
    document = json.loads(Path(download.value.path()).read_text())
    kinds = {e["resource"]["resourceType"] for e in document["fhir"]["entry"]}
    assert {"Patient", "ServiceRequest", "AuditEvent"} <= kinds
    assert document["legal_holds"][0]["reason"] == "Complaint 2026/31 under review"
