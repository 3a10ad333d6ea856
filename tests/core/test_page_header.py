"""The header is rendered once per signed-in name and role and kept (mdt/core/web.py::
page_header): each person still sees their own name and their own navigation, and the
sign-out form in it carries a token that works for their session."""

from __future__ import annotations

import re

from tests.conftest import login

SIGN_OUT = re.compile(
    r'action="/logout"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"'
)


def test_each_person_sees_their_own_header_and_can_sign_out_with_it(app, make, session):
    ann, bob = make.user(name="Ann Alpha"), make.admin(name="Bob Beta")
    for_ann, for_bob = app.test_client(), app.test_client()
    login(for_ann, ann.email)
    login(for_bob, bob.email)

    first = for_ann.get("/dashboard").text
    assert "Ann Alpha" in first and "Bob Beta" not in first and "Audit log" not in first
    page = for_bob.get("/dashboard").text
    assert "Bob Beta" in page and "Audit log" in page and "Ann Alpha" not in page
    again = for_ann.get("/dashboard").text
    assert "Ann Alpha" in again and "Audit log" not in again

    ann.name = "Ann Renamed"
    session.commit()
    assert "Ann Renamed" in for_ann.get("/dashboard").text

    token = SIGN_OUT.search(for_ann.get("/dashboard").text)[1]
    assert for_ann.post("/logout", data={"csrf_token": token}).status_code == 302
    assert for_ann.get("/dashboard").status_code == 302  # signed out
    assert "Bob Beta" in for_bob.get("/dashboard").text  # Bob's session is his own


def test_a_signed_out_page_has_the_plain_header(client):
    page = client.get("/login").text
    assert "nhsuk-header" in page and "Sign out" not in page and "Dashboard" not in page
