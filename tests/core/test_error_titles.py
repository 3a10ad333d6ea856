"""A page that shows errors has a title starting "Error: " (the NHS.UK rule, so that a
screen reader says so first; issue 22, item 6): every form of every page, posted blank, and
the HTTP error pages. Pages without errors do not. Decided once, for every page, by
mdt/core/page_errors.py and templates/base.html."""

from __future__ import annotations

import re

import pytest
from werkzeug.exceptions import Forbidden, NotFound, TooManyRequests

from mdt.core.web import PLAIN_ERROR_PAGE, render_error, render_server_error
from tests.core.test_escaping import _clients
from tests.form_pages import crawl
from tests.test_route_inventory import world  # noqa: F401 - the inventory's world

TITLE = re.compile(r"<title>\s*([^<]*?)\s*</title>")
SUMMARY = 'class="nhsuk-error-summary"'


def title_of(page: str) -> str:
    found = TITLE.search(page)
    assert found, "the page has a title"
    return found.group(1)


def test_every_form_posted_blank_shows_its_errors_under_an_error_title(app, world):  # noqa: F811
    clients = _clients(app, world)
    checked_pages: list[str] = []

    def no_error_title_without_errors(role: str, path: str, response) -> None:  # type: ignore[no-untyped-def]
        if response.mimetype != "text/html" or response.status_code != 200:
            return
        page = response.get_data(as_text=True)
        if SUMMARY not in page:
            assert not title_of(page).startswith("Error:"), f"{role} {path}"
            checked_pages.append(path)

    found = crawl(app, clients, world["ids"], check=no_error_title_without_errors)
    with_errors = set()
    for key, (role, form) in found.forms.items():
        response = form.post(clients[role], dict.fromkeys(form.fields, ""))
        if response.status_code != 200 or response.mimetype != "text/html":
            continue  # saved and redirected, or a download: no errors to show
        page = response.get_data(as_text=True)
        if SUMMARY in page:
            title = title_of(page)
            assert title.startswith("Error: "), f"{role} {form.method} {form.action}: {title}"
            with_errors.add(key[1])
    assert len(with_errors) >= 25, sorted(with_errors)
    assert len(checked_pages) >= 50


@pytest.mark.parametrize(
    ("error", "heading"),
    [
        (NotFound(), "Page not found"),
        (Forbidden(), ""),
        (TooManyRequests(), "Too Many Requests"),
    ],
)
def test_http_error_pages_have_an_error_title(app, error, heading):
    with app.test_request_context("/somewhere"):
        page, code = render_error(error)
    assert code == error.code
    assert title_of(page).startswith("Error: " + heading)


def test_the_server_error_page_and_its_plain_fallback_have_an_error_title(app):
    with app.test_request_context("/somewhere"):
        page, code = render_server_error(RuntimeError("boom"))
    assert code == 500
    assert title_of(page).startswith("Error: Sorry, there is a problem with the service")
    assert title_of(PLAIN_ERROR_PAGE) == "Error: Sorry, there is a problem with the service"


def test_a_page_with_a_form_without_errors_has_a_plain_title(client, make):
    from tests.conftest import login

    login(client, make.user().email)
    page = client.get("/profile").get_data(as_text=True)
    assert SUMMARY not in page and not title_of(page).startswith("Error")
