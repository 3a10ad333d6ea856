"""Shared fixtures: a migrated database per run, one rolled-back transaction per test.

The suite runs on SQLite by default and on PostgreSQL when MDT_TEST_BACKEND=postgresql
and MDT_TEST_DATABASE_URL names a database (its contents are replaced).
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator

import pyotp
import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from mdt import create_app
from mdt.accounts.models import User
from mdt.core import migrate
from mdt.extensions import db
from mdt.mfa.models import TotpFactor
from tests.factories import Factory

BACKEND = os.environ.get("MDT_TEST_BACKEND", "sqlite")


def _postgres_url() -> str:
    url = os.environ.get("MDT_TEST_DATABASE_URL")
    if not url:
        pytest.exit("MDT_TEST_BACKEND=postgresql needs MDT_TEST_DATABASE_URL", returncode=2)
    return url.replace("postgresql://", "postgresql+psycopg://", 1)


def _admin_engine(url: str) -> sa.Engine:
    return sa.create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")


def create_postgres_database(url: str) -> None:
    name = make_url(url).database
    engine = _admin_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()


def drop_postgres_database(url: str) -> None:
    engine = _admin_engine(url)
    with engine.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    engine.dispose()


def _reset_postgres_schema(url: str) -> None:
    """Empty the suite's database, creating it first if the server does not have it yet."""
    name = make_url(url).database
    admin = _admin_engine(url)
    with admin.connect() as conn:
        exists = conn.exec_driver_sql(
            "SELECT 1 FROM pg_database WHERE datname = %(name)s", {"name": name}
        ).scalar()
        if not exists:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.exec_driver_sql("DROP SCHEMA public CASCADE")
        conn.exec_driver_sql("CREATE SCHEMA public")
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The suite's shared database, migrated to head once."""
    if BACKEND == "postgresql":
        url = _postgres_url()
        _reset_postgres_schema(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'suite.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def empty_database_url(tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """A database of its own, with no tables, for tests that commit or migrate."""
    if BACKEND == "postgresql":
        base = make_url(_postgres_url())
        url = base.set(database=f"{base.database}_{uuid.uuid4().hex[:8]}").render_as_string(
            hide_password=False
        )
        create_postgres_database(url)
        yield url
        drop_postgres_database(url)
    else:
        yield f"sqlite:///{tmp_path / 'own.db'}"


def test_config(database_url: str, tmp_path) -> dict[str, object]:  # type: ignore[no-untyped-def]
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "MAIL_TRANSPORT": "folder",
        "MAIL_FOLDER": str(tmp_path / "mail"),
        "BASE_URL": "http://mdt.test",
        # Tests sign in (and fail to) many times from one address; the throttling tests
        # (tests/core/test_throttle.py) put the real limits back.
        "SECURITY_RATE_LIMIT_SIGN_IN": "10000 per minute",
        "SECURITY_RATE_LIMIT_PASSWORD_LINK": "10000 per minute",
        "SECURITY_RATE_LIMIT_FEED": "10000 per minute",
        # Stories travel in time while signed in (a morning's bookings, then the afternoon);
        # tests/accounts/test_sessions.py puts the real idle timeout back.
        "SECURITY_IDLE_MINUTES": 12 * 60,
    }


test_config.__test__ = False  # type: ignore[attr-defined]


@pytest.fixture
def app(database_url: str, tmp_path) -> Iterator[Flask]:  # type: ignore[no-untyped-def]
    app = create_app(test_config(database_url, tmp_path))
    state = db.state(app)
    connection = state.engine.connect()
    outer = connection.begin()
    # Every session the app opens joins this transaction through a savepoint, so commits
    # inside the app are real to it and everything is rolled back after the test.
    state.sessionmaker = sessionmaker(bind=connection, join_transaction_mode="create_savepoint")
    yield app
    outer.rollback()
    connection.close()
    state.engine.dispose()


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    """The test's own session, on the same transaction as the app's."""
    s = db.state(app).sessionmaker()
    yield s
    s.close()


@pytest.fixture
def make(session: Session) -> Factory:
    return Factory(session)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    page = client.get(url)
    match = CSRF_RE.search(page.get_data(as_text=True))
    assert match, f"no CSRF token in {url} ({page.status_code})"
    return match.group(1)


def submit(  # type: ignore[no-untyped-def]
    client: FlaskClient,
    url: str,
    data: dict[str, object],
    form_url: str | None = None,
    prefix: str = "",
):
    """Post a form as a browser would: fetch the page it is on for the CSRF token first."""
    token = csrf_token(client, form_url or url)
    return client.post(url, data={**data, f"{prefix}csrf_token": token})


def login(client: FlaskClient, email: str, password: str = Factory.PASSWORD):  # type: ignore[no-untyped-def]
    """Sign in, doing the second step for people who need one (administrators always): set
    up an authenticator app from the secret the page shows, or type its code."""
    response = submit(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    location = response.headers["Location"]
    if location == "/second-factor/setup":
        secret = SECRET_RE.search(client.get(location).get_data(as_text=True))[1]  # type: ignore[index]
        done = submit(client, location, {"code": pyotp.TOTP(secret).now()})
        assert "Your recovery codes" in done.get_data(as_text=True), done.status_code
    elif location == "/second-factor/verify":
        response = submit(client, location, {"code": fresh_totp_code(client.application, email)})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return response


SECRET_RE = re.compile(r'<code class="mdt-secret">([A-Z2-7]+)</code>')


def fresh_totp_code(app: Flask, email: str) -> str:
    """The app's current code for this person. Codes are accepted once, so the step last
    used is forgotten first: a test may sign one person in twice within 30 seconds (the
    replay rule itself is tested in tests/mfa without this helper)."""
    with db.state(app).sessionmaker() as s:
        factor = s.scalar(
            sa.select(TotpFactor)
            .join(User, User.id == TotpFactor.user_id)
            .where(User.email_key == email.strip().lower())
        )
        assert factor is not None, f"{email} has no authenticator app"
        factor.last_used_step = None
        s.commit()
        return pyotp.TOTP(factor.secret).now()
