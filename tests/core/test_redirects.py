"""Redirects to a target from the request (`next`, `back`, the referrer) stay on this site."""

import pytest

from mdt.core.redirects import safe_next_path
from tests.conftest import csrf_token, login, submit

#: Each a way a browser could be sent to another site (or to run script) if followed.
OFF_SITE = [
    "//evil.example",
    "////evil.example",
    "///evil.example",
    "\\\\evil.example",
    "/\\evil.example",
    "\\/evil.example",
    "/\\/evil.example",
    "/%2F%2Fevil.example",
    "/%2f/evil.example",
    "%2F%2Fevil.example",
    "/%5Cevil.example",
    "/%5C%5Cevil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "/%09/evil.example",
    "/%0D%0ALocation:%20//evil.example",
    " //evil.example",
    "javascript:alert(1)",
    "JavaScript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://mdt.test/dashboard",
    "https://mdt.test/dashboard",
    "http://localhost/dashboard",
    "https://evil.example",
    "https:evil.example",
    "http:/evil.example",
    "evil.example",
    "dashboard",
    "",
]

ON_SITE = [
    "/dashboard",
    "/meetings/4/run?case=7",
    "/prep?meeting=3#request-9",
    "/directory?q=district%20nurse",
    "/login?next=/dashboard",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_a_target_off_this_site_gives_the_default(target):
    assert safe_next_path(target, "/default") == "/default"


@pytest.mark.parametrize("target", ON_SITE)
def test_a_path_on_this_site_is_kept(target):
    assert safe_next_path(target, "/default") == target


def test_none_gives_the_default():
    assert safe_next_path(None, "/default") == "/default"


@pytest.mark.parametrize(
    "target", ["////evil.example", "/\\evil.example", "/%2F%2Fevil.example", "/\t/evil.example"]
)
def test_signing_in_never_goes_to_another_site(client, make, target):
    person = make.user()
    token = csrf_token(client, "/login")
    data = {"email": person.email, "password": make.PASSWORD, "csrf_token": token}
    response = client.post("/login", query_string={"next": target}, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard"


def test_signing_in_goes_on_to_the_page_asked_for(client, make):
    person = make.user()
    token = csrf_token(client, "/login")
    data = {"email": person.email, "password": make.PASSWORD, "csrf_token": token}
    response = client.post("/login", query_string={"next": "/availability?kind=absence"}, data=data)
    assert response.headers["Location"] == "/availability?kind=absence"


@pytest.mark.parametrize("back", ["////evil.example", "/\\evil.example", "https://evil.example"])
def test_removing_a_commitment_never_goes_back_to_another_site(client, make, back):
    owner = make.user()
    commitment = make.recurring(owner)
    login(client, owner.email)
    response = submit(
        client, f"/availability/{commitment.id}/remove", {"back": back}, form_url="/availability"
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/availability"


def test_removing_a_commitment_goes_back_to_the_page_it_was_on(client, make):
    owner = make.user()
    commitment = make.recurring(owner)
    login(client, owner.email)
    response = submit(
        client,
        f"/availability/{commitment.id}/remove",
        {"back": "/availability"},
        form_url="/availability",
    )
    assert response.headers["Location"] == "/availability"


def test_a_post_after_sign_out_ignores_a_referrer_from_another_site(app, make):
    signed_out = app.test_client()
    response = signed_out.post(
        "/profile", data={"name": "x"}, headers={"Referer": "http://evil.example//evil.example"}
    )
    assert response.headers["Location"] == "/login?next=/dashboard"
