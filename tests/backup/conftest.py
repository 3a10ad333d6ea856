"""Backups need databases whose commits are real: a source and an empty target of their own."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy.engine import make_url

from mdt import create_app
from mdt.core import migrate
from mdt.extensions import db
from tests.conftest import (
    BACKEND,
    _postgres_url,
    create_postgres_database,
    drop_postgres_database,
    test_config,
)
from tests.factories import Factory


@dataclass
class Side:
    url: str
    app: Flask
    mail: Path

    def factory(self) -> Factory:
        return Factory(db.state(self.app).sessionmaker())

    def sent(self) -> list[str]:
        return sorted(p.name for p in self.mail.glob("*.eml"))


def _side(url: str, folder: Path) -> Side:
    app = create_app(test_config(url, folder))
    return Side(url, app, folder / "mail")


@pytest.fixture
def target_url(tmp_path: Path) -> Iterator[str]:
    """A second empty database, to restore into."""
    if BACKEND == "postgresql":
        base = make_url(_postgres_url())
        url = base.set(database=f"{base.database}_r{uuid.uuid4().hex[:8]}").render_as_string(
            hide_password=False
        )
        create_postgres_database(url)
        yield url
        drop_postgres_database(url)
    else:
        (tmp_path / "restored").mkdir()
        yield f"sqlite:///{tmp_path / 'restored' / 'mdt.db'}"


@pytest.fixture
def source(empty_database_url: str, tmp_path: Path) -> Iterator[Side]:
    migrate.upgrade(empty_database_url)
    (tmp_path / "source").mkdir()
    side = _side(empty_database_url, tmp_path / "source")
    yield side
    db.state(side.app).engine.dispose()


@pytest.fixture
def target(target_url: str, tmp_path: Path) -> Iterator[Side]:
    (tmp_path / "target").mkdir()
    side = _side(target_url, tmp_path / "target")
    yield side
    db.state(side.app).engine.dispose()


# A real SMTP server for the tests that run a real scheduler process after a restore.
from tests.scheduler.conftest import smtp_server  # noqa: E402, F401
