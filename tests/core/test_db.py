from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy.dialects import sqlite

from mdt.core.db import UTCDateTime
from mdt.mail.models import OutboxMessage
from tests.conftest import BACKEND


def test_times_come_back_aware_utc_whatever_zone_they_went_in(session):
    summer = datetime(2026, 7, 1, 13, 30, tzinfo=timezone(timedelta(hours=1)))
    row = OutboxMessage(recipients="a@example.org", subject="s", mime="m", created_at=summer)
    session.add(row)
    session.commit()
    session.expire_all()
    got = session.get(OutboxMessage, row.id).created_at
    assert got == summer and got.tzinfo is UTC and got.hour == 12


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), sqlite.dialect())  # noqa: DTZ001


def test_connections_are_set_up_for_their_backend(app):
    """SQLite: WAL, foreign keys and a busy timeout on every connection; PostgreSQL: psycopg 3."""
    from mdt.extensions import db

    engine = db.state(app).engine
    if BACKEND == "sqlite":
        # On the driver's connection: a transaction would wait for the test's own (every
        # transaction takes SQLite's write lock when it begins).
        raw = engine.raw_connection()
        try:
            pragma = raw.driver_connection.execute  # type: ignore[union-attr]
            assert pragma("PRAGMA journal_mode").fetchone()[0] == "wal"
            assert pragma("PRAGMA foreign_keys").fetchone()[0] == 1
            assert pragma("PRAGMA busy_timeout").fetchone()[0] == 5000
        finally:
            raw.close()
    else:
        assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
        # Sessions in UTC whatever the server's default, so timestamps arrive in UTC itself
        # and UTCDateTime hands them on as they are.
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW TimeZone").scalar() == "UTC"
            assert conn.exec_driver_sql("SELECT now()").scalar().tzinfo is UTC


def test_many_rows_go_in_one_statement_with_their_defaults_and_come_back_as_asked(session):
    from sqlalchemy import select

    from mdt.core.db import among, insert_many
    from mdt.mail.models import OutboxStatus

    summer = datetime(2026, 7, 1, 13, 30, tzinfo=timezone(timedelta(hours=1)))
    table = OutboxMessage.__table__
    rows = [
        {"recipients": f"{n}@example.org", "subject": "it's 50% done", "mime": "m", "sent_at": at}
        for n, at in enumerate([summer, None, summer])
    ]

    written = insert_many(session, table, rows, returning=(table.c.recipients, table.c.id))

    ids = dict(written)
    assert sorted(ids) == ["0@example.org", "1@example.org", "2@example.org"]
    stored = session.scalars(
        select(OutboxMessage).where(among(OutboxMessage.id, ids.values())).order_by("id")
    ).all()
    assert [(m.recipients, m.subject, m.sent_at) for m in stored] == [
        (r["recipients"], r["subject"], r["sent_at"]) for r in rows
    ]
    assert {(m.status, m.attempts) for m in stored} == {(OutboxStatus.QUEUED, 0)}
    assert stored[0].sent_at.tzinfo == UTC and stored[0].created_at is not None
    assert insert_many(session, table, []) == []


def test_work_done_in_the_background_is_done_in_order_and_its_first_error_raised(session):
    """Background: each piece of work on the session's connection, in the order given (by a
    second thread on PostgreSQL); a failure is raised when the block ends and nothing after
    it is started; the work is in the session's transaction."""
    from functools import partial

    import sqlalchemy as sa

    from mdt.core.db import Background

    table = OutboxMessage.__table__
    done: list[int] = []

    def write(n: int, connection: sa.Connection) -> None:
        connection.execute(
            sa.insert(table).values(recipients=f"{n}@example.org", subject="s", mime="m")
        )
        done.append(n)

    def fail(connection: sa.Connection) -> None:
        raise OSError("disk full")

    with Background(session) as background:
        for n in range(5):
            background.submit(partial(write, n))
    assert done == [0, 1, 2, 3, 4]
    assert session.scalar(sa.select(sa.func.count()).select_from(table)) == 5

    with pytest.raises(OSError, match="disk full"), Background(session) as background:
        background.submit(partial(write, 5))
        background.submit(fail)
        background.submit(partial(write, 6))
    assert done == [0, 1, 2, 3, 4, 5], "nothing after the failure"
    session.rollback()
    assert session.scalar(sa.select(sa.func.count()).select_from(table)) == 0


def test_in_rows_finds_the_values_a_subquery_picks_on_each_backend(session):
    """in_rows is `IN (subquery)` on SQLite and `= ANY(ARRAY(subquery))` on PostgreSQL (see
    its docstring); it finds the same rows, and two statements of the same shape share one
    cache key (so the statement is compiled once, not per request)."""
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from mdt.core.db import in_rows

    table = OutboxMessage.__table__
    rows = [
        {"recipients": f"{n}@example.org", "subject": s, "mime": "m"} for n, s in enumerate("abab")
    ]
    session.execute(table.insert(), rows)

    def matching(subject: str):  # type: ignore[no-untyped-def]
        picked = select(table.c.id).where(table.c.subject == subject)
        return select(table.c.recipients).where(in_rows(table.c.id, picked))

    found = session.scalars(matching("b").order_by(table.c.recipients)).all()
    assert found == ["1@example.org", "3@example.org"]
    assert session.scalars(matching("z")).all() == []
    assert "IN (SELECT" in str(matching("b").compile(dialect=sqlite.dialect()))
    assert "= ANY(ARRAY(SELECT" in str(matching("b").compile(dialect=postgresql.dialect()))
    assert matching("a")._generate_cache_key().key == matching("b")._generate_cache_key().key
    other = select(table.c.id).where(in_rows(table.c.id, select(table.c.id)))
    assert other._generate_cache_key().key != matching("b")._generate_cache_key().key


def test_inline_writes_a_limit_and_offset_into_the_statement_and_pages_through_rows(session):
    """inline() puts the number in the SQL text rather than a parameter (so PostgreSQL can
    keep one plan for a paged list; see its docstring), and pages the same as .limit() did."""
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from mdt.core.db import inline

    table = OutboxMessage.__table__
    rows = [{"recipients": f"{n}@example.org", "subject": "s", "mime": "m"} for n in range(5)]
    session.execute(table.insert(), rows)

    def page(size: int, number: int):  # type: ignore[no-untyped-def]
        query = select(table.c.recipients).order_by(table.c.recipients)
        return query.limit(inline(size)).offset(inline((number - 1) * size))

    assert session.scalars(page(2, 1)).all() == ["0@example.org", "1@example.org"]
    assert session.scalars(page(2, 3)).all() == ["4@example.org"]
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        sql = str(page(2, 3).compile(dialect=dialect))
        assert "LIMIT 2 OFFSET 4" in sql, sql


def test_inline_time_writes_the_moment_into_the_statement_and_compares_as_a_parameter(session):
    """inline_time() puts a moment in the SQL text (a bound that moves once a day; see its
    docstring) in the form each backend stores, so rows either side of it, stored in UTC
    from other time zones, are told apart as with a parameter."""
    from sqlalchemy import select
    from sqlalchemy.dialects import postgresql

    from mdt.core.db import inline_time

    table = OutboxMessage.__table__
    bound = datetime(2026, 11, 16, tzinfo=UTC)
    near = {
        "before": bound - timedelta(seconds=1),
        "at": bound,
        "after": bound + timedelta(hours=1),
    }
    plus_one = timezone(timedelta(hours=1))  # the same moments, given in another zone
    rows = [
        {"recipients": name, "subject": "s", "mime": "m", "created_at": at.astimezone(plus_one)}
        for name, at in near.items()
    ]
    session.execute(table.insert(), rows)
    query = select(table.c.recipients).where(table.c.created_at >= inline_time(bound))
    assert sorted(session.scalars(query)) == ["after", "at"]
    for dialect in (sqlite.dialect(), postgresql.psycopg.dialect()):
        sql = str(query.compile(dialect=dialect, compile_kwargs={"render_postcompile": True}))
        assert "'2026-11-16 00:00:00" in sql, sql
