"""What `mdt bench` times in-process: the scheduler sweep, "find a slot", and the host's speed."""

from __future__ import annotations

import time as clock
from datetime import time, timedelta

import sqlalchemy as sa
from flask import Flask

from bench.scales import BENCH_TEAM
from mdt.core.time import now_utc
from mdt.extensions import db


def time_sweep(app: Flask) -> tuple[float, list[float]]:
    """The sweep on the next working day at 07:31 London, just after the digests are due:
    first as a scheduler that has been down for a week finds it (catching up on 7 days),
    then the sweeps of the following minutes, the steady state. Rolled back afterwards."""
    from mdt.core.days import local_to_utc, next_working_day
    from mdt.reminders.sweep import sweep
    from mdt.reminders.timing import reminder_time

    at = reminder_time(app.config)
    with app.app_context():
        moment = local_to_utc(next_working_day(now_utc().date()), time(7, 31), "Europe/London")
        started = clock.perf_counter()
        sweep(db.session, moment, at)
        catch_up = (clock.perf_counter() - started) * 1000
        steady = []
        for minute in range(1, 4):
            started = clock.perf_counter()
            sweep(db.session, moment + timedelta(minutes=minute), at)
            steady.append((clock.perf_counter() - started) * 1000)
        db.session.rollback()
    return catch_up, steady


def time_find_slot(app: Flask, runs: int = 7) -> tuple[int, list[float]]:
    from mdt.slots.finder import find_slots
    from mdt.slots.operations import clash_checker
    from mdt.teams.models import Team

    times = []
    with app.app_context():
        team = db.session.scalar(sa.select(Team).where(Team.name == BENCH_TEAM))
        assert team is not None
        members = len(team.memberships)
        today = now_utc().date() + timedelta(days=7)
        for _ in range(runs):
            db.session.expire_all()
            started = clock.perf_counter()
            find_slots(
                clash_checker(team),
                team.time_zone,
                today,
                [0, 1, 2, 3, 4],
                time(12, 0),
                time(14, 30),
                90,
                "monthly",
            )
            times.append((clock.perf_counter() - started) * 1000)
    return members, times


def host_speed(runs: int = 5) -> list[float]:
    """A fixed piece of pure Python, timed (ms): on a shared machine the same code runs
    slower when the host is busier, so two runs' figures are read against this one's."""
    times = []
    for _ in range(runs):
        started = clock.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += len(f"{i}:{i % 7}")
        times.append((clock.perf_counter() - started) * 1000)
    return times
