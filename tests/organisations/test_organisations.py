import sqlalchemy as sa

from mdt.organisations.models import Organisation, OrganisationType
from tests.conftest import login, submit


def test_admin_adds_an_adult_social_care_organisation(client, make, session):
    login(client, make.admin().email)
    response = submit(
        client,
        "/organisations/new",
        {"name": "Borough Adult Social Care", "type": "adult_social_care", "ods_code": ""},
    )
    assert response.status_code == 302
    org = session.scalar(sa.select(Organisation).where(Organisation.name.like("Borough%")))
    assert org.type is OrganisationType.ADULT_SOCIAL_CARE and org.ods_code is None
    assert "Borough Adult Social Care" in client.get("/organisations/").text


def test_bad_ods_code_and_duplicate_name_are_explained(client, make):
    make.organisation(name="Riverside Surgery")
    login(client, make.admin().email)
    page = submit(
        client,
        "/organisations/new",
        {"name": "riverside surgery", "type": "gp_practice", "ods_code": "F8-40!"},
    ).text
    assert "3 to 12 letters and numbers" in page
    assert 'value="F8-40!"' in page
    page = submit(
        client, "/organisations/new", {"name": "riverside surgery", "type": "gp_practice"}
    ).text
    assert "already exists" in page


def test_admin_sets_how_long_a_practices_patients_are_kept(client, make, session):
    practice = make.organisation(name="Riverside Surgery")
    login(client, make.admin().email)
    url = f"/organisations/{practice.id}"
    assert "installation&#39;s period (8 years)" in client.get(url).text
    form = {"name": "Riverside Surgery", "type": "gp_practice", "revision": practice.revision}
    page = submit(client, url, form | {"retention_years": "0"}).text
    assert "Enter a number of years from 1 to 100" in page and 'value="0"' in page
    assert submit(client, url, form | {"retention_years": "12"}).status_code == 302
    session.expire_all()
    assert session.get(Organisation, practice.id).retention_years == 12
    revision = session.get(Organisation, practice.id).revision
    assert (
        submit(client, url, form | {"revision": revision, "retention_years": ""}).status_code == 302
    )
    session.expire_all()
    assert session.get(Organisation, practice.id).retention_years is None
