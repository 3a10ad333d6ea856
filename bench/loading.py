"""Seeding a database: migrate it, generate the rows, load them, report what was made."""

from __future__ import annotations

import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from bench.load import Loader
from bench.scales import BENCH_EMAIL, BENCH_PASSWORD, BENCH_TEAM, SCALES
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
        with engine.connect() as conn:
            if conn.scalar(sa.text("SELECT count(*) FROM user_account")):
                raise RuntimeError("the database already has people in it: seed an empty one")
        generator = Generator(SCALES[scale], today)
        generator.build(lambda step: progress(f"{step} ({clock.perf_counter() - started:.1f} s)"))
        with engine.begin() as conn:
            loader = Loader(conn, progress)
            for model in TABLES:
                loader.insert(model, generator.rows.get(model, []))
        if engine.dialect.name == "postgresql":
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
        else:
            with engine.begin() as conn:
                conn.exec_driver_sql("ANALYZE")
        progress(f"analysed ({clock.perf_counter() - started:.1f} s)")
    finally:
        engine.dispose()
    return Seeded(loader.counts, generator.feed_token, clock.perf_counter() - started)
