"""Each installation names its calendar events after itself (meeting-7@<its host>), so two
installations inviting one person never overwrite each other's meetings; an installation
that upgrades keeps the name its people's calendars already hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import sqlalchemy as sa

from mdt import create_app
from mdt.calendar.events import uid
from mdt.core import migrate
from mdt.extensions import db
from tests.calendar.support import book, feed_path, make_feed_link
from tests.conftest import login, test_config

NOW = datetime(2027, 1, 4, 9, 0, tzinfo=UTC)


def _uids(data: bytes) -> set[str]:
    return {line.split(":", 1)[1] for line in data.decode().split("\r\n") if line[:4] == "UID:"}


def _team_feed_uids(app, make):  # type: ignore[no-untyped-def]
    leah = make.user()
    team = make.team(coordinator=leah)
    series = make.series(team, weekday=3, start_date=date(2027, 1, 1), start_time=time(13))
    client = app.test_client()
    login(client, leah.email)
    meeting = book(client, team.id, series.id, date(2027, 1, 14))
    feed = app.test_client().get(feed_path(make_feed_link(client, leah.id, team.id))).data
    return _uids(feed), series.id, meeting


def test_a_new_installation_names_its_events_after_its_base_urls_host(app, make, time_machine):
    time_machine.move_to(NOW, tick=False)
    uids, series, meeting = _team_feed_uids(app, make)
    assert uids == {f"series-{series}@mdt.test", f"meeting-{meeting}@mdt.test"}


def test_the_setting_overrides_the_name(app, make, time_machine):
    time_machine.move_to(NOW, tick=False)
    app.config["CALENDAR_UID_DOMAIN"] = "mdt.oakfield.nhs.uk"
    uids, series, meeting = _team_feed_uids(app, make)
    assert uids == {
        f"series-{series}@mdt.oakfield.nhs.uk",
        f"meeting-{meeting}@mdt.oakfield.nhs.uk",
    }


def _add_a_person_at_that_revision(url: str) -> None:
    """In SQL of that schema: today's models have columns (name keys...) it did not."""
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql(
            "INSERT INTO organisation (id, name, type, revision) VALUES (1, 'Riverside', 'gp', 1)"
        )
        conn.execute(
            sa.text(
                "INSERT INTO user_account (name, email, email_key, profession, organisation_id,"
                " phone, how_to_reach, is_active, is_admin, created_at, revision) VALUES"
                " ('Leah', 'leah@example.org', 'leah@example.org', 'GP', 1, '', '', TRUE,"
                " FALSE, :now, 1)"
            ),
            {"now": NOW},
        )
    engine.dispose()


def _stored(url: str) -> list[tuple[int, str]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text("SELECT id, uid_domain FROM calendar_identity")))
    finally:
        engine.dispose()


def test_an_installation_with_people_keeps_its_old_uids_after_upgrading(
    empty_database_url, tmp_path, time_machine
):
    time_machine.move_to(NOW, tick=False)
    migrate.upgrade(empty_database_url, "h2act0000001")
    _add_a_person_at_that_revision(empty_database_url)  # who may hold its events already
    app = create_app(test_config(empty_database_url, tmp_path))
    migrate.upgrade(empty_database_url)
    assert _stored(empty_database_url) == [(1, "mdt-coordinator")]
    with app.app_context():
        assert uid("meeting", 7) == "meeting-7@mdt-coordinator"
    db.state(app).engine.dispose()
    migrate.downgrade(empty_database_url, "h2act0000001")
    migrate.upgrade(empty_database_url)
    assert _stored(empty_database_url) == [(1, "mdt-coordinator")]


def test_a_new_database_stores_no_name(empty_database_url):
    migrate.upgrade(empty_database_url)
    assert _stored(empty_database_url) == []
