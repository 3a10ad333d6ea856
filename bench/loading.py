"""Seeding a database: migrate it, generate the rows a stage at a time and load each stage,
report what was made."""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from bench import keys
from bench.load import Loader
from bench.scales import BENCH_EMAIL, BENCH_PASSWORD, BENCH_TEAM, SCALES, TEAMS_PER_CHUNK
from bench.seed import TABLES, Generator
from mdt.core import migrate
from mdt.core.db import create_engine


@dataclass
class Seeded:
    counts: dict[str, int]
    feed_token: str
    seconds: float
    email: str = BENCH_EMAIL
    password: str = BENCH_PASSWORD
    team: str = BENCH_TEAM


def seed(url: str, scale: str, today: date, progress: Callable[[str], None]) -> Seeded:
    started = clock.perf_counter()
    migrate.upgrade(url)
    progress(f"migrated ({clock.perf_counter() - started:.1f} s)")
    engine = create_engine(url)
    try:
        _refuse_if_filled(engine)
        generator = Generator(SCALES[scale], today)
        with engine.begin() as conn:
            loader = Loader(conn)
            with _keys_aside(conn):
                _load_stages(generator, loader, lambda line: progress(f"{line}, {_since(started)}"))
            progress(f"keys and indexes back ({_since(started)})")
        _analyse(engine)
        progress(f"analysed ({_since(started)})")
    finally:
        engine.dispose()
    return Seeded(loader.counts, generator.feed_token, clock.perf_counter() - started)


def _load_stages(generator: Generator, loader: Loader, progress: Callable[[str], None]) -> None:
    """Each stage's rows are loaded (in foreign-key order) and let go before the next."""
    stages = generator.stages(TEAMS_PER_CHUNK)
    while True:
        began = clock.perf_counter()
        stage = next(stages, None)
        if stage is None:
            return
        rows = generator.take()
        loading = clock.perf_counter()
        for model in TABLES:
            loader.insert(model, rows.get(model, []))
        made = sum(len(r) for r in rows.values())
        progress(
            f"{stage}: {made:,} rows, generated in {loading - began:.1f} s, "
            f"loaded in {clock.perf_counter() - loading:.1f} s"
        )


def _keys_aside(conn: Connection) -> AbstractContextManager[None]:
    if conn.dialect.name != "postgresql":
        return nullcontext()
    return keys.set_aside(conn, [model.__table__.name for model in TABLES])


def _refuse_if_filled(engine: Engine) -> None:
    with engine.connect() as conn:
        if conn.scalar(sa.text("SELECT count(*) FROM user_account")):
            raise RuntimeError("the database already has people in it: seed an empty one")


def _analyse(engine: Engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("VACUUM ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")


def _since(started: float) -> str:
    return f"{clock.perf_counter() - started:.1f} s in all"
