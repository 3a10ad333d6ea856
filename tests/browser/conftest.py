"""Makes the browser fixtures (Chromium, the live server, a page) available to every module here."""

from tests.browser.test_browser import browser, live_server, page  # noqa: F401
