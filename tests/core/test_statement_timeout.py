"""`[database] statement_timeout_ms`: on PostgreSQL a statement over the limit is cancelled
with an error saying so, rather than holding the worker for as long as it runs."""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from mdt.config import DEFAULTS
from mdt.core.db import create_engine
from tests.conftest import BACKEND

postgresql_only = pytest.mark.skipif(BACKEND != "postgresql", reason="PostgreSQL only")


def test_the_default_limit_is_thirty_seconds() -> None:
    assert DEFAULTS["DATABASE_STATEMENT_TIMEOUT_MS"] == 30_000


@postgresql_only
def test_a_statement_over_the_limit_is_cancelled_with_a_clear_error(database_url: str) -> None:
    engine = create_engine(database_url, statement_timeout_ms=200)
    started = time.monotonic()
    with engine.connect() as conn, pytest.raises(sa.exc.OperationalError) as raised:
        conn.exec_driver_sql("SELECT pg_sleep(5)")
    assert time.monotonic() - started < 3
    assert "canceling statement due to statement timeout" in str(raised.value)
    engine.dispose()


@postgresql_only
def test_the_app_sets_the_limit_on_its_connections(app) -> None:  # type: ignore[no-untyped-def]
    from mdt.extensions import db

    with db.state(app).engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "30s"


@postgresql_only
def test_no_limit_when_set_to_zero(database_url: str) -> None:
    engine = create_engine(database_url, statement_timeout_ms=0)
    with engine.connect() as conn:
        assert conn.exec_driver_sql("SHOW statement_timeout").scalar() == "0"
    engine.dispose()
