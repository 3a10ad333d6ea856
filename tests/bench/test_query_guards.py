"""The key pages the benchmark measures run the same number of SQL statements for a person
with a few teams, meetings, cases and actions as for one with ten times as many: no query
per row. (Meeting mode, minutes, matters arising and the action lists are guarded in
tests/minutes/test_query_counts.py.) Also: `mdt bench-seed` on a fresh database."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine
from click.testing import CliRunner
from flask.cli import ScriptInfo

from mdt import create_app
from mdt.accounts.models import User
from mdt.calendar import feed_cache
from mdt.calendar import operations as calendar
from mdt.calendar.models import FeedClock
from mdt.cli import main_group
from mdt.extensions import db
from mdt.teams.models import TeamRole
from tests.conftest import login, test_config
from tests.queries import count_queries

STARTS = datetime(2027, 1, 12, 12, 30, tzinfo=UTC)
BEFORE = datetime(2027, 1, 5, 10, 0, tzinfo=UTC)

#: Statements per request, whatever the size (the budget is 12). A page that shows patients
#: runs one more than before the audit chain: its audit rows first lock the chain's head.
EXPECTED = {
    # 4, and 6 more for the teams the person runs (issue 22): their next meetings, invitees,
    # agendas with preparation, today's reminders, overdue actions and unsent minutes.
    "dashboard": 10,
    "my prep": 4,
    "meeting detail": 3,
    "readiness": 7,
    # The feed's ETag is its validator (mdt.calendar.validators), kept per worker while the
    # feed clock does not tick. A 304 runs 2: the signed-in session (this client has a
    # cookie; a calendar app has none, so 1 there), and whose feed the token opens with the
    # clock. A 200 serves the bytes cached for that validator (2); building them (the first
    # fetch after a change, or after the bytes left the cache) takes 8 more and the
    # validator again, and loads the person: not here, where the signed-in session (read
    # first in the request since the idle timeout) already holds them, but for a calendar
    # app (12). A 304 ran 3 when the validator was taken on every poll, and 12, like every
    # fetch, when the ETag was the hash of the bytes.
    "feed (built)": 11,
    "feed (full)": 2,
    "feed (304)": 2,
}
PAGES = {
    "dashboard": "/dashboard",
    "my prep": "/prep",
    "meeting detail": "/meetings/{meeting}",
    "readiness": "/meetings/{meeting}/readiness",
    "feed (built)": "/calendar/{token}.ics",
    "feed (full)": "/calendar/{token}.ics",
    "feed (304)": "/calendar/{token}.ics",
}


def _busy_coordinator(app, make, size: int):  # type: ignore[no-untyped-def]
    """A coordinator with `size` colleagues, cases (each prepared by them and a colleague),
    actions, and `size` other teams with protected time and a meeting each."""
    me = make.user(name=f"Busy Coordinator {size}")
    team = make.team(coordinator=me, name=f"Bench Team {size}")
    colleagues = [make.member(team, discipline="Adult social care").user for _ in range(size)]
    make.series(team)
    meeting = make.meeting(team, starts_at=STARTS, ends_at=STARTS + timedelta(minutes=90))
    for n, colleague in enumerate(colleagues):
        case = make.case(meeting, make.patient(), me, colleague, position=n + 1)
        make.action(case, me, due_date=date(2027, 1, 20) + timedelta(days=n))
    for n in range(size):
        other = make.team(name=f"Other Team {size}.{n}")
        make.member(other, me, role=TeamRole.CORE_MEMBER)
        make.series(other, weekday=n % 5)
        later = STARTS + timedelta(days=n + 1)
        make.meeting(other, starts_at=later, ends_at=later + timedelta(minutes=90))
    with app.app_context():
        token = calendar.issue_person_link(db.session.get(User, me.id), None)
        db.session.commit()
    return me, {"meeting": meeting.id, "token": token}


def _counts(app, make, size: int) -> dict[str, int]:  # type: ignore[no-untyped-def]
    me, ids = _busy_coordinator(app, make, size)
    client = app.test_client()
    login(client, me.email)
    counts, etag = {}, ""
    clock = _feed_clock(app)
    for name, path in PAGES.items():
        url = path.format(**ids)
        headers = {"If-None-Match": etag} if name == "feed (304)" else {}
        first = client.get(url, headers=headers)  # warm up (first-request work)
        etag = first.headers.get("ETag", etag)
        if name == "feed (built)":
            with app.app_context():
                feed_cache.bodies().clear()
        with count_queries(app) as statements:
            response = client.get(url, headers=headers)
        assert response.status_code == (304 if name == "feed (304)" else 200), name
        counts[name] = len(statements)
    # Looking at pages writes nothing a feed reads: the feed clock (FeedClock) has not ticked,
    # or every page view would make each calendar's next poll take its validator again.
    assert _feed_clock(app) == clock
    return counts


def _feed_clock(app) -> int:  # type: ignore[no-untyped-def]
    with app.app_context():
        return int(db.session.scalar(sa.select(sa.func.sum(FeedClock.ticks))))


@pytest.fixture
def both_sizes(app, make):  # type: ignore[no-untyped-def]
    with time_machine.travel(BEFORE, tick=False):
        return _counts(app, make, 3), _counts(app, make, 30)


def test_key_pages_run_as_many_queries_for_ten_times_the_data(both_sizes):
    small, large = both_sizes
    for name in PAGES:
        assert large[name] == small[name], f"{name}: {small[name]} with 3, {large[name]} with 30"
    assert small == EXPECTED


def test_the_floor_route_exists_only_for_benchmarks(database_url, tmp_path):
    normal = create_app(test_config(database_url, tmp_path))
    bench = create_app(test_config(database_url, tmp_path) | {"BENCH_FLOOR": True})
    assert normal.test_client().get("/bench/floor").status_code == 404
    response = bench.test_client().get("/bench/floor")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "floor")


def test_bench_seed_fills_a_fresh_database_at_practice_scale(app, empty_database_url):
    result = CliRunner().invoke(
        main_group,
        ["bench-seed", "--scale", "practice", "--database-url", empty_database_url]
        + ["--today", "2027-01-04"],
        obj=ScriptInfo(create_app=lambda: app),
    )
    assert result.exit_code == 0, result.output
    assert "Benchmark user: bench.user@bench.example.org" in result.output
    engine = sa.create_engine(empty_database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        counts = {
            table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in ("user_account", "team", "membership", "meeting", "agenda_case")
        }
        counts |= {
            table: conn.scalar(sa.text(f"SELECT count(*) FROM {table}"))
            for table in ("prep_request", "action_point", "calendar_feed")
        }
    engine.dispose()
    # A year around the anchor day, one team of 25 (the bench team's size, as at region
    # scale) with a meeting a month; the same every time for the same anchor day (the
    # generator's random numbers are seeded).
    assert counts == {
        "user_account": 25,
        "team": 1,
        "membership": 25,
        "meeting": 13,
        "agenda_case": 117,
        "prep_request": 472,
        "action_point": 171,
        "calendar_feed": 1,
    }
