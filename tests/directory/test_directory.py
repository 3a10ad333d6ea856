"""The directory: services and people with the date each was last checked, stale after 90
days, confirmed in one click by whoever keeps the entry, and found from one search box."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from mdt.core.time import now_utc
from mdt.directory.models import PersonCheck, Service
from mdt.teams.models import TeamRole
from tests.conftest import csrf_token, login, submit
from tests.queries import count_queries


@pytest.fixture(autouse=True)
def _midday(time_machine):  # type: ignore[no-untyped-def]
    """Staleness counts London days: near midnight, "90 days ago" in UTC can be 89 London
    days ago across a clock change, so these stories happen at midday in winter."""
    time_machine.move_to(datetime(2027, 1, 15, 12, 0, tzinfo=UTC), tick=False)


def _days_ago(days: int):  # type: ignore[no-untyped-def]
    return now_utc() - timedelta(days=days)


def _confirm(client, url, page):  # type: ignore[no-untyped-def]
    return client.post(url, data={"csrf_token": csrf_token(client, page)})


@pytest.mark.parametrize(("days", "stale"), [(89, False), (90, True), (91, True)])
def test_a_service_not_checked_for_90_days_is_marked_stale(client, make, days, stale):
    owner = make.user()
    service = make.service(owner, name="Falls clinic", verified_at=_days_ago(days))
    assert service.is_stale(now_utc()) is stale
    login(client, make.user().email)
    page = client.get(f"/directory/services/{service.id}").text
    assert ("Stale" in page) is stale
    services = client.get("/directory/?q=falls").text.split("<h2>Services")[1]
    assert ("Falls clinic" in services) and ("Stale" in services.split("<h2>People")[0]) is stale


def test_a_person_not_checked_for_91_days_is_stale_and_89_is_not(client, make, session):
    fresh = make.user(name="Jo Clarke", profession="District nurse", created_at=_days_ago(89))
    old = make.user(name="Sam Whitfield", profession="Social worker", created_at=_days_ago(200))
    session.add(PersonCheck(user_id=old.id, verified_at=_days_ago(91)))
    session.commit()
    login(client, make.user().email)
    assert "Stale" not in client.get(f"/directory/people/{fresh.id}").text
    assert "Stale" in client.get(f"/directory/people/{old.id}").text


def test_owner_presses_still_correct_and_the_entry_records_who_and_when(client, make, session):
    owner = make.user(name="Jo Clarke")
    service = make.service(owner, name="Falls clinic", verified_at=_days_ago(120))
    login(client, owner.email)
    page = f"/directory/services/{service.id}"
    response = _confirm(client, f"{page}/confirm", page)
    assert response.status_code == 302
    session.expire_all()
    service = session.get(Service, service.id)
    assert service.verified_by_id == owner.id
    assert now_utc() - service.verified_at < timedelta(minutes=1)
    shown = client.get(page).text
    assert "Stale" not in shown and "by Jo Clarke" in shown
    assert "is marked as still correct" in shown


def test_an_admin_confirms_someone_elses_entries(client, make, session):
    person = make.user(name="Dr Priya Shah")
    service = make.service(make.user(), verified_at=_days_ago(100))
    admin = make.admin(name="Alex Morgan")
    login(client, admin.email)
    page = f"/directory/people/{person.id}"
    assert _confirm(client, f"{page}/confirm", page).status_code == 302
    page = f"/directory/services/{service.id}"
    assert _confirm(client, f"{page}/confirm", page).status_code == 302
    session.expire_all()
    check = session.query(PersonCheck).filter_by(user_id=person.id).one()
    assert check.verified_by_id == admin.id
    assert session.get(Service, service.id).verified_by_id == admin.id
    assert "by Alex Morgan" in client.get(f"/directory/people/{person.id}").text


def test_a_person_confirms_their_own_entry_but_not_a_colleagues(client, make, session):
    me, colleague = make.user(), make.user()
    login(client, me.email)
    mine = f"/directory/people/{me.id}"
    assert "Still correct" in client.get(mine).text
    assert _confirm(client, f"{mine}/confirm", mine).status_code == 302
    assert session.query(PersonCheck).filter_by(user_id=me.id).one().verified_by_id == me.id
    theirs = f"/directory/people/{colleague.id}"
    assert "Still correct" not in client.get(theirs).text
    assert _confirm(client, f"{theirs}/confirm", mine).status_code == 403
    assert session.query(PersonCheck).filter_by(user_id=colleague.id).one_or_none() is None


def test_only_the_owner_or_an_admin_confirms_or_changes_a_service(client, make, session):
    service = make.service(make.user(), verified_at=_days_ago(100))
    before = service.verified_at
    login(client, make.user().email)
    page = f"/directory/services/{service.id}"
    assert "Still correct" not in client.get(page).text
    assert _confirm(client, f"{page}/confirm", page).status_code == 403
    assert client.get(f"{page}/edit").status_code == 403
    session.expire_all()
    assert session.get(Service, service.id).verified_at == before


def test_search_finds_a_service_by_a_word_in_its_description(client, make):
    make.service(
        name="Falls prevention clinic",
        description="Strength and BALANCE classes and a home hazard check",
        who_for="Adults over 65 who have fallen",
    )
    make.service(name="Memory service", description="Assessment for dementia")
    login(client, make.user().email)
    page = client.get("/directory/?q=balance").text
    assert "Falls prevention clinic" in page and "Memory service" not in page
    page = client.get("/directory/?q=Dementia assessment").text
    assert "Memory service" in page and "Falls prevention clinic" not in page
    assert "No service matches" in client.get("/directory/?q=%25").text


@pytest.mark.parametrize(
    "q", ["district nurse", "District Nurses", "nurse district", "dist nurs", "nursed  access"]
)
def test_search_matches_each_word_in_its_other_forms(client, make, q):
    """The hint's own example: "district nurse" finds "District nursing ..." (issue 20)."""
    make.service(name="District nursing single point of access", description="Wound care")
    make.service(name="Nurse-led falls clinic", description="Balance classes")
    login(client, make.user().email)
    services = client.get("/directory/", query_string={"q": q}).text.split("<h2>People")[0]
    assert "District nursing single point of access" in services
    assert "Nurse-led falls clinic" not in services  # every word must be found


def test_search_words_are_cut_to_what_their_forms_share():
    from mdt.directory.queries import words

    assert words("District NURSE carers Memory falls") == [
        "district",
        "nurs",
        "carer",
        "memor",
        "fall",
    ]


def test_search_finds_a_person_by_profession_with_their_teams(client, make):
    jo = make.user(name="Jo Clarke", profession="District nurse")
    make.user(name="Sam Whitfield", profession="Social worker")
    team = make.team(name="Riverside Neighbourhood MDT")
    make.member(team, jo, role=TeamRole.CORE_MEMBER, discipline="Community nursing")
    login(client, make.user().email)
    page = client.get("/directory/?q=district+NURSE").text
    people = page.split("<h2>People")[1]
    assert "Jo Clarke" in people and "Sam Whitfield" not in people
    assert "Riverside Neighbourhood MDT" in people


def test_people_who_cannot_sign_in_are_not_listed(client, make):
    leaver = make.user(name="Gone Away", is_active=False)
    login(client, make.user().email)
    assert "Gone Away" not in client.get("/directory/").text
    assert client.get(f"/directory/people/{leaver.id}").status_code == 404


def _service_form(org_id: int, **over: str) -> dict[str, object]:
    return {
        "name": "Carers' support",
        "description": "Advice, breaks and a carers' assessment",
        "who_for": "Unpaid carers of any age",
        "how_to_refer": "Self-referral by phone",
        "phone": "020 7946 0500",
        "email": "",
        "opening_hours": "Mon to Fri 9 to 5",
        "organisation_id": str(org_id),
    } | over


def test_anyone_signed_in_adds_a_service_and_becomes_its_owner(client, make, session):
    me = make.user(name="Grace Adeyemi")
    login(client, me.email)
    page = submit(
        client, "/directory/services/new", _service_form(me.organisation_id, email="nope")
    ).text
    assert "Enter an email address in the correct format" in page
    assert "Advice, breaks and a carers&#39; assessment" in page  # what was typed is kept
    page = submit(
        client,
        "/directory/services/new",
        _service_form(me.organisation_id, email="nope", description="</textarea><b>x</b>"),
    ).text
    assert "&lt;/textarea&gt;&lt;b&gt;x&lt;/b&gt;</textarea>" in page
    response = submit(client, "/directory/services/new", _service_form(me.organisation_id, name=""))
    assert "Enter the name of the service" in response.text
    response = submit(client, "/directory/services/new", _service_form(me.organisation_id))
    assert response.status_code == 302
    service = session.query(Service).filter_by(name="Carers' support").one()
    assert service.owner_id == me.id and service.verified_by_id == me.id
    assert "Kept up to date by" in client.get(response.headers["Location"]).text


def test_a_second_edit_from_an_old_revision_is_refused_and_keeps_what_was_typed(
    client, make, session, app
):
    owner, admin = make.user(), make.admin()
    service = make.service(owner, name="Social prescribing")
    other = app.test_client()
    login(client, owner.email)
    login(other, admin.email)
    url = f"/directory/services/{service.id}/edit"
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', other.get(url).text)[1]
    form = _service_form(owner.organisation_id, name="Social prescribing")
    first = submit(client, url, form | {"description": "First", "revision": "1"})
    assert first.status_code == 302
    second = other.post(
        url,
        data=form | {"description": "Second", "revision": "1", "csrf_token": token},
    ).text
    assert "Someone else changed these details" in second
    assert ">Second</textarea>" in second and "First" in second
    session.expire_all()
    assert session.get(Service, service.id).description == "First"
    # Having seen their version, saving again goes through.
    again = other.post(
        url, data=form | {"description": "Second", "revision": "2", "csrf_token": token}
    )
    assert again.status_code == 302


def test_an_admin_hands_a_service_to_someone_else(client, make, session):
    owner, successor = make.user(), make.user(name="New Owner")
    service = make.service(owner)
    login(client, make.admin().email)
    url = f"/directory/services/{service.id}/edit"
    form = _service_form(owner.organisation_id) | {"owner_id": str(successor.id), "revision": "1"}
    assert submit(client, url, form).status_code == 302
    session.expire_all()
    assert session.get(Service, service.id).owner_id == successor.id
    # An owner who is not an administrator cannot give it away.
    login(other := client.application.test_client(), successor.email)
    assert 'name="owner_id"' not in other.get(url).text


def _fill(make, n: int) -> None:  # type: ignore[no-untyped-def]
    team = make.team()
    for i in range(n):
        person = make.user(profession="District nurse")
        make.member(team, person, role=TeamRole.ATTENDEE, discipline="Community nursing")
        make.service(person, description=f"Home visits, round {i}", verified_at=_days_ago(i * 7))


@pytest.mark.parametrize(
    "path",
    ["/directory/", "/directory/?q=nurse", "/directory/?q=visits", "/directory/?q=district+nurses"],
)
def test_list_and_search_run_the_same_number_of_queries_for_3_or_30_entries(
    client, make, app, path
):
    login(client, make.user().email)
    _fill(make, 3)
    client.get(path)  # warm up: the first request loads what every request loads once
    with count_queries(app) as few:
        assert client.get(path).status_code == 200
    _fill(make, 27)
    with count_queries(app) as many:
        page = client.get(path)
    assert page.status_code == 200 and "(30)" in page.text
    assert len(few) >= 3 and len(many) == len(few), many


def test_saving_your_own_contact_details_counts_as_checking_your_entry(client, make, session):
    me = make.user(name="Jo Clarke", created_at=_days_ago(200))
    login(client, me.email)
    assert "Stale" in client.get(f"/directory/people/{me.id}").text
    details = {
        "name": "Jo Clarke",
        "phone": "07700 900201",
        "how_to_reach": "Mobile",
        "revision": 1,
    }
    assert submit(client, "/profile", details).status_code == 302
    check = session.query(PersonCheck).filter_by(user_id=me.id).one()
    assert check.verified_by_id == me.id
    assert "Stale" not in client.get(f"/directory/people/{me.id}").text
