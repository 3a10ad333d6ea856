"""The browser fixtures (Chromium, the live server, a page) for Find a slot in Chromium."""

from tests.browser.test_browser import browser, live_server, page  # noqa: F401
