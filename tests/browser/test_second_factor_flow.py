"""A social worker turns on an authenticator app in Chromium, then signs in with a code from it
(computed by pyotp from the key the page shows, as the phone would); each page passes axe-core."""

from __future__ import annotations

import time

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.test_browser import DEMO_PASSWORD, SAM, check_accessibility, heading, sign_in


def test_a_person_turns_on_an_authenticator_app_and_signs_in_with_it(page: Page) -> None:
    sign_in(page, SAM)
    page.wait_for_url("**/dashboard")
    page.goto("/profile")
    page.get_by_role("link", name="Security settings").click()
    expect(heading(page)).to_have_text("Security settings")
    check_accessibility(page)
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(heading(page)).to_have_text("Set up an authenticator app")
    expect(page.locator(".mdt-qr svg")).to_be_visible()
    check_accessibility(page)
    secret = page.locator("code.mdt-secret").inner_text()
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(totp.now())
    # Just signed in: no need to confirm it's you first.
    expect(page.get_by_label("Sign me out everywhere else")).to_be_checked()
    page.get_by_role("button", name="Turn on").click()
    expect(heading(page)).to_have_text("Your recovery codes")
    expect(page.locator(".mdt-recovery-codes li")).to_have_count(10)
    recovery_codes = page.locator(".mdt-recovery-codes li").all_inner_texts()
    check_accessibility(page)

    page.context.clear_cookies()  # another day, another browser
    sign_in(page, SAM)
    page.wait_for_url("**/second-factor/verify")
    expect(heading(page)).to_have_text("Enter your security code")
    check_accessibility(page)
    page.goto("/dashboard")
    page.wait_for_url("**/login**")  # nothing opens before the code
    sign_in(page, SAM)
    page.wait_for_url("**/second-factor/verify")
    # The code used to set up is spent: the phone's next one (a step ahead is accepted).
    page.get_by_label("Code", exact=True).fill(totp.at(time.time() + totp.interval))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/dashboard")
    expect(heading(page)).to_have_text("Hello, Sam Whitfield")

    # "Confirm it's you" (what changing a factor asks for after the window), with a recovery
    # code (the app's codes up to the one just used are spent).
    page.goto("/confirm-its-you?next=/profile/password")
    expect(heading(page)).to_have_text("Confirm it's you")
    check_accessibility(page)
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_label("Code from your authenticator app, or a recovery code").fill(
        recovery_codes[0]
    )
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url("**/profile/password")
    expect(heading(page)).to_have_text("Change your password")
    check_accessibility(page)
