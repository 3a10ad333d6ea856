import re

import sqlalchemy as sa

from mdt.accounts.models import User
from tests.conftest import login, submit


def _new_user_form(org_id, **over):
    return {
        "name": "Sam Social",
        "email": "sam@council.example.org",
        "profession": "Social worker",
        "organisation_id": str(org_id),
        "phone": "07700 900123",
        "how_to_reach": "Mobile, not Fridays",
        "is_active": "y",
    } | over


def _count(session):
    session.expire_all()
    return session.scalar(sa.select(sa.func.count(User.id)))


def test_admin_adds_a_social_worker_who_then_sets_a_password(client, make, session):
    admin = make.admin()
    council = make.organisation(name="Borough Council")
    login(client, admin.email)
    response = submit(client, "/users/new", _new_user_form(council.id))
    assert response.status_code == 302
    person = session.scalar(sa.select(User).where(User.email_key == "sam@council.example.org"))
    assert person.organisation_id == council.id and person.password_hash is None

    link_page = submit(
        client, f"/users/{person.id}/password-link", {}, form_url=f"/users/{person.id}"
    ).get_data(as_text=True)
    url = re.search(r'id="password-link">([^<]+)<', link_page).group(1)
    path = url.removeprefix("http://mdt.test")

    other = client.application.test_client()
    short = submit(other, path, {"password": "short", "confirm": "short"})
    assert "at least 12 characters" in short.get_data(as_text=True)
    common = submit(other, path, {"password": "password1234", "confirm": "password1234"})
    assert "harder to guess" in common.get_data(as_text=True)
    good = "amber-lantern-quietly-77"
    assert submit(other, path, {"password": good, "confirm": good}).status_code == 302
    login(other, "SAM@council.example.org", good)

    # The link works once.
    assert client.application.test_client().get(path).status_code == 404


def test_duplicate_email_in_any_case_is_refused_and_the_form_kept(client, make, session):
    admin = make.admin()
    make.user(email="taken@example.org")
    login(client, admin.email)
    before = _count(session)
    response = submit(
        client,
        "/users/new",
        _new_user_form(admin.organisation_id, email="Taken@Example.org", name="Second Person"),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "There is a problem" in page
    assert "Someone already uses this email address" in page
    assert 'value="Second Person"' in page and 'value="Taken@Example.org"' in page
    assert _count(session) == before


def test_malformed_email_and_missing_fields_are_listed_with_nothing_saved(client, make, session):
    admin = make.admin()
    login(client, admin.email)
    before = _count(session)
    page = submit(
        client, "/users/new", _new_user_form(0, email="sam at council", profession="")
    ).get_data(as_text=True)
    assert "Enter an email address in the correct format" in page
    assert "Choose a profession" in page
    assert 'value="sam at council"' in page and 'value="07700 900123"' in page
    assert _count(session) == before


def test_two_admins_editing_one_person_the_second_save_is_refused(client, make, app, session):
    admin, other_admin = make.admin(), make.admin()
    person = make.user(name="Original Name")
    first, second = client, app.test_client()
    login(first, admin.email)
    login(second, other_admin.email)
    url = f"/users/{person.id}"
    form = _new_user_form(person.organisation_id, email=person.email, profession="Social worker")
    token_second = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', second.get(url).text)[1]

    assert submit(first, url, form | {"name": "First Edit", "revision": "1"}).status_code == 302
    response = second.post(
        url, data=form | {"name": "Second Edit", "revision": "1", "csrf_token": token_second}
    )
    page = response.get_data(as_text=True)
    assert "Someone else changed these details" in page
    assert 'value="Second Edit"' in page
    session.expire_all()
    assert session.get(User, person.id).name == "First Edit"


def test_deactivating_a_person_signs_them_out(client, make, app):
    admin = make.admin()
    person = make.user(email="leaver@example.org")
    theirs = app.test_client()
    login(theirs, person.email)
    login(client, admin.email)
    form = _new_user_form(person.organisation_id, email=person.email, profession="Social worker")
    form.pop("is_active")
    assert submit(client, f"/users/{person.id}", form | {"revision": "1"}).status_code == 302
    assert theirs.get("/dashboard").status_code == 302


def test_a_person_updates_their_own_contact_details(client, make, session):
    person = make.user(phone="")
    login(client, person.email)
    response = submit(
        client,
        "/profile",
        {"name": person.name, "phone": "020 7946 0999", "how_to_reach": "Desk phone mornings"},
    )
    assert response.status_code == 302
    session.expire_all()
    assert session.get(User, person.id).phone == "020 7946 0999"


def test_over_long_contact_note_is_refused_and_kept(client, make):
    person = make.user()
    login(client, person.email)
    text = "x" * 501
    page = submit(client, "/profile", {"name": person.name, "how_to_reach": text}).text
    assert "500 characters or fewer" in page
    assert text in page
