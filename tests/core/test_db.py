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
    assert got == summer and got.tzinfo == UTC and got.hour == 12


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        UTCDateTime().process_bind_param(datetime(2026, 1, 1), sqlite.dialect())  # noqa: DTZ001


def test_connections_are_set_up_for_their_backend(app):
    """SQLite: WAL, foreign keys and a busy timeout on every connection; PostgreSQL: psycopg 3."""
    from mdt.extensions import db

    engine = db.state(app).engine
    if BACKEND == "sqlite":
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000
    else:
        assert engine.dialect.name == "postgresql" and engine.dialect.driver == "psycopg"
