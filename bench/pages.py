"""What the benchmark measures: the key pages for the benchmark user, and counting the SQL
statements each runs (in-process, through the app's engine events)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event

from bench.scales import BENCH_EMAIL, BENCH_PASSWORD, BENCH_TEAM
from mdt.accounts.models import User
from mdt.calendar import operations as calendar
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.teams.models import Team

#: (name, path) with {meeting}, {team} and {token} filled in; the floor comes first.
PAGES = [
    ("floor", "/bench/floor"),
    ("dashboard", "/dashboard"),
    ("my prep", "/prep"),
    ("my actions", "/actions"),
    ("meeting detail", "/meetings/{meeting}"),
    ("readiness", "/meetings/{meeting}/readiness"),
    ("meeting mode", "/meetings/{meeting}/run"),
    ("team actions", "/teams/{team}/actions"),
    ("team report", "/teams/{team}/report"),
    ("feed (full)", "/calendar/{token}.ics"),
    ("feed (304)", "/calendar/{token}.ics"),
]
NOT_PAGES = ("floor",)
TRANSACTION = ("BEGIN", "SAVEPOINT", "RELEASE", "ROLLBACK", "COMMIT")
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Targets:
    """The benchmark user's ids, found in the seeded database."""

    meeting: int
    team: int
    token: str

    def url(self, path: str) -> str:
        return path.format(meeting=self.meeting, team=self.team, token=self.token)


def find_targets(app: Flask) -> Targets:
    """The bench team's next meeting, and a new feed link for the benchmark user (a feed
    token is kept only as a hash, so each run makes its own)."""
    with app.app_context():
        user = db.session.scalar(sa.select(User).where(User.email_key == BENCH_EMAIL))
        team = db.session.scalar(sa.select(Team).where(Team.name == BENCH_TEAM))
        if user is None or team is None:
            raise RuntimeError("no benchmark user or team: run `mdt bench-seed` first")
        meeting = db.session.scalar(
            sa.select(Meeting)
            .where(
                Meeting.team_id == team.id,
                Meeting.status == MeetingStatus.SCHEDULED,
                Meeting.starts_at > now_utc(),
            )
            .order_by(Meeting.starts_at)
            .limit(1)
        )
        if meeting is None:
            raise RuntimeError("the bench team has no meeting to come: seed around today")
        token = calendar.issue_person_link(user, None)
        db.session.commit()
        return Targets(meeting.id, team.id, token)


@contextmanager
def count_queries(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def _record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        # Not transaction control (BEGIN, savepoints, COMMIT): only the work itself.
        if not statement.lstrip().upper().startswith(TRANSACTION):
            statements.append(statement)

    engine = db.state(app).engine
    event.listen(engine, "before_cursor_execute", _record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", _record)


def sign_in(client: FlaskClient) -> None:
    page = client.get("/login").get_data(as_text=True)
    match = CSRF.search(page)
    assert match, "no CSRF token on the sign-in page"
    data = {"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": match.group(1)}
    response = client.post("/login", data=data)
    if response.status_code != 302:
        raise RuntimeError(f"the benchmark user could not sign in ({response.status_code})")


def queries_per_page(app: Flask, targets: Targets) -> dict[str, int | None]:
    """SQL statements per request, after one warm-up request; None where the page is 404."""
    client = app.test_client()
    sign_in(client)
    counts: dict[str, int | None] = {}
    etag = ""
    for name, path in PAGES:
        url = targets.url(path)
        headers = {"If-None-Match": etag} if name == "feed (304)" else {}
        first = client.get(url, headers=headers)
        if first.status_code == 404:
            counts[name] = None
            continue
        etag = first.headers.get("ETag", etag)
        with count_queries(app) as statements:
            response = client.get(url, headers=headers)
        expected = 304 if name == "feed (304)" else 200
        if response.status_code != expected:
            raise RuntimeError(f"{name}: {url} answered {response.status_code}")
        counts[name] = len(statements)
    return counts
