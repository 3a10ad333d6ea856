"""Team and organisation names are one name whatever their case, accents included, on both
databases (issue 20, item 19): renaming to a name that differs only in non-ASCII case was a
500 (the unique name refused what lower() had let through), or a second team on SQLite."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from mdt.core.names import name_key
from mdt.organisations.models import Organisation
from mdt.teams.models import Team
from tests.conftest import login, submit

TAKEN = "already exists"


@pytest.fixture
def admin_client(app, make):  # type: ignore[no-untyped-def]
    client = app.test_client()
    login(client, make.admin().email)
    return client


def test_the_key_folds_case_accents_included_and_spaces():
    assert name_key("ÉCOLE  MDT ") == name_key("école mdt") == "école mdt"
    assert name_key("Straße") == name_key("STRASSE")
    assert name_key("Ｒｉｖｅｒｓｉｄｅ") == name_key("riverside")  # full-width letters
    assert name_key("Riverside") != name_key("Riversides")


@pytest.mark.parametrize("renamed_to", ["école mdt", "ÉCOLE MDT", "École  MDT"])
def test_renaming_a_team_to_another_teams_name_in_any_case_is_refused(
    admin_client, make, session, renamed_to
):
    make.team(name="ÉCOLE MDT")
    team = make.team(name="Riverside")
    data = {"name": renamed_to, "time_zone": "Europe/London", "description": ""}
    response = submit(admin_client, f"/teams/{team.id}/settings", data)
    assert response.status_code == 200
    assert TAKEN in response.text and f'value="{renamed_to}"' in response.text
    session.expire_all()
    assert session.get(Team, team.id).name == "Riverside"
    assert session.scalar(sa.select(sa.func.count()).select_from(Team)) == 2


def test_a_new_team_named_like_another_in_other_case_is_refused(admin_client, make):
    make.team(name="Ärztehaus MDT")
    coordinator = make.user()
    data = {
        "name": "ÄRZTEHAUS mdt",
        "time_zone": "Europe/London",
        "coordinator_id": str(coordinator.id),
        "coordinator_discipline": "Coordination",
    }
    assert TAKEN in submit(admin_client, "/teams/new", data).text


def test_a_team_can_change_the_case_of_its_own_name(admin_client, make, session):
    team = make.team(name="école mdt")
    data = {"name": "ÉCOLE MDT", "time_zone": "Europe/London", "description": ""}
    assert submit(admin_client, f"/teams/{team.id}/settings", data).status_code == 302
    session.expire_all()
    assert session.get(Team, team.id).name == "ÉCOLE MDT"


def test_the_database_refuses_two_teams_with_one_key(make, session):
    make.team(name="ÉCOLE MDT")
    with pytest.raises(sa.exc.IntegrityError):
        make.team(name="école  mdt")
    session.rollback()


def test_a_row_written_without_its_key_is_refused(session):
    with pytest.raises(sa.exc.IntegrityError):
        session.execute(sa.insert(Organisation), [{"name": "ÖSTRA Vårdcentral", "type": "other"}])
    session.rollback()


@pytest.mark.parametrize("other_case", ["östra vårdcentral", "ÖSTRA VÅRDCENTRAL"])
def test_an_organisation_named_like_another_in_other_case_is_refused(
    admin_client, make, other_case
):
    make.organisation(name="Östra Vårdcentral")
    org = make.organisation(name="Canal Street")
    data = {"name": other_case, "type": "gp_practice", "ods_code": ""}
    assert TAKEN in submit(admin_client, "/organisations/new", data).text
    assert TAKEN in submit(admin_client, f"/organisations/{org.id}", data).text


def test_the_migration_keys_stored_names_and_numbers_those_that_share_one(empty_database_url):
    from alembic.script import ScriptDirectory

    from mdt.core import migrate
    from mdt.core.db import create_engine

    scripts = ScriptDirectory.from_config(migrate.alembic_config(empty_database_url))
    migrate.upgrade(empty_database_url, scripts.get_revision("k3esc0000001").down_revision)
    engine = create_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            for name in ("ÉCOLE MDT", "école mdt", "Riverside", "école  MDT (2)"):
                conn.execute(
                    sa.text(
                        "INSERT INTO team (name, description, time_zone, "
                        "default_location, default_video_link, revision) "
                        "VALUES (:n, '', 'UTC', '', '', 1)"
                    ),
                    {"n": name},
                )
        migrate.upgrade(empty_database_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT name, name_key FROM team ORDER BY id")).all()
    finally:
        engine.dispose()
    assert rows == [
        ("ÉCOLE MDT", "école mdt"),
        ("école mdt (3)", "école mdt (3)"),
        ("Riverside", "riverside"),
        ("école  MDT (2)", "école mdt (2)"),
    ]
