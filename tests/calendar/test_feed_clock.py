"""The feed clock (FeedClock) ticks on every write to a table a feed validator reads, made by
database triggers, so a validator kept while the clock stands still is never stale: not after
a change made through the app, nor after one made behind its back (a bulk UPDATE, a fix in
psql), which no application hook would see."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Flask
from sqlalchemy.sql import visitors

from mdt.accounts.models import User
from mdt.calendar import validators
from mdt.calendar.models import CalendarPreference, FeedClock, MeetingDelivery
from mdt.models import Base
from tests.calendar.test_feed_validator import NOW, _busy_person, _statements

#: PostgreSQL's pg_trigger.tgtype bits for the events
PG_EVENTS = {"insert": 4, "delete": 8, "update": 16}


def _validator_tables() -> set[str]:
    statements = [
        validators._person_statement("postgresql"),
        validators._person_statement("sqlite"),
        validators._team_statement(),
    ]
    return {t.name for s in statements for t in visitors.iterate(s) if isinstance(t, sa.Table)}


def _triggered(session) -> dict[str, set[str]]:  # type: ignore[no-untyped-def]
    """For each table, the writes that tick the clock."""
    found: dict[str, set[str]] = {}
    if session.get_bind().dialect.name == "postgresql":
        rows = session.execute(
            sa.text(
                "SELECT c.relname, t.tgtype, p.proname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_proc p ON p.oid = t.tgfoid "
                "WHERE NOT t.tgisinternal"
            )
        )
        for table, tgtype, function in rows:
            if function == "feed_clock_tick":
                events = {name for name, bit in PG_EVENTS.items() if tgtype & bit}
                found.setdefault(table, set()).update(events)
    else:
        rows = session.execute(
            sa.text("SELECT tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")
        )
        for table, sql in rows:
            text = " ".join(sql.lower().split())
            if "update feed_clock set ticks = ticks + 1" in text:
                events = {name for name in PG_EVENTS if f"after {name} on {table}" in text}
                found.setdefault(table, set()).update(events)
    return found


def _clock(session) -> int:  # type: ignore[no-untyped-def]
    return int(session.scalar(sa.select(sa.func.sum(FeedClock.ticks))))


def test_every_table_a_validator_reads_ticks_the_clock_on_every_kind_of_write(session):
    tables = _validator_tables()
    assert {"meeting", "invitation", "action_point", "user_account"} <= tables  # found them

    triggered = _triggered(session)

    missing = {t: sorted(set(PG_EVENTS) - triggered.get(t, set())) for t in sorted(tables)}
    assert {t: events for t, events in missing.items() if events} == {}


def test_a_raw_update_of_any_of_those_tables_ticks_the_clock(app: Flask, make, session):
    _busy_person(app, make, 2)  # a row in each table a person's feed reads, and a choice
    someone = session.scalar(sa.select(User.id).limit(1))
    session.add(CalendarPreference(user_id=someone, meeting_delivery=MeetingDelivery.BOTH))
    session.commit()
    for table in sorted(_validator_tables()):
        column = sa.inspect(Base.metadata.tables[table]).primary_key.columns[0].name
        before = _clock(session)
        changed = session.execute(sa.text(f"UPDATE {table} SET {column} = {column}")).rowcount
        assert changed > 0, table
        assert _clock(session) > before, f"an UPDATE of {table} did not tick the feed clock"
    session.rollback()


def test_a_change_made_behind_the_apps_back_reaches_the_next_poll(
    app: Flask, make, session, time_machine
):
    time_machine.move_to(NOW, tick=False)
    path = _busy_person(app, make, 2)
    _, etag = _statements(app, path)
    assert _statements(app, path, etag) == (1, etag)  # the clock stands still: kept

    # A fix made in psql: no operation, no revision, no application hook.
    session.execute(sa.text("UPDATE meeting SET location = 'Room 9, Riverside'"))
    session.commit()

    response = app.test_client().get(path, headers={"If-None-Match": f'"{etag}"'})
    assert response.status_code == 200
    assert b"Room 9\\, Riverside" in response.data
    new = response.get_etag()[0]
    assert new != etag
    assert _statements(app, path, new) == (1, new)  # kept again under the new clock


def test_a_poll_after_a_write_elsewhere_takes_the_validator_again_and_keeps_its_304(
    app: Flask, make, session, time_machine
):
    time_machine.move_to(NOW, tick=False)
    path = _busy_person(app, make, 2)
    _, etag = _statements(app, path)
    make.user(name="Someone Else")  # a write to a table the feed reads, not to this feed
    session.commit()

    assert _statements(app, path, etag) == (2, etag)  # the token and clock, the validator
    assert _statements(app, path, etag) == (1, etag)


def test_without_clock_rows_every_poll_takes_the_validator(app: Flask, make, session, time_machine):
    time_machine.move_to(datetime(2027, 1, 4, 9, tzinfo=UTC), tick=False)
    path = _busy_person(app, make, 2)
    session.execute(sa.delete(FeedClock))
    session.commit()
    _, etag = _statements(app, path)

    assert _statements(app, path, etag) == (2, etag)
    assert _statements(app, path, etag) == (2, etag)
