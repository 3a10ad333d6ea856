"""What the busy hour's flows need, made in a copy of the region database (it writes).

The seeded people have no password but the benchmark user; a sample is given the
benchmark user's password hash (one UPDATE), so sign-ins verify a real argon2 hash each.
Meeting mode is viewed by whoever runs each of the next meetings (their chair or minute
taker), signed in once beforehand; My prep is saved by people who owe preparation, each
request once (a second save would need the new revision); the feeds are new links issued
with the app's own function, their ETags taken by one poll each.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import requests
import sqlalchemy as sa
from flask import Flask

from bench.scales import BENCH_EMAIL, BENCH_PASSWORD
from mdt.accounts.models import User
from mdt.calendar import operations as calendar
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.prep.models import PrepRequest

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class Picks:
    signers: list[str]
    runners: list[tuple[str, int]]  # (email, meeting id)
    owners: dict[str, list[tuple[int, int]]]  # email: [(prep request id, revision)]
    feed_tokens: list[str]


@dataclass
class Ready:
    signers: list[str]
    meetings: list[tuple[str, int]]  # (cookie, meeting id)
    saves: list[tuple[str, str, int, int]]  # (cookie, csrf, request id, revision)
    feeds: list[tuple[str, str]]  # (token, etag)
    used: int = field(default=0)

    def spec_saves(self, wanted: int) -> list[tuple[str, str, int, int]]:
        """Prep requests not saved yet, `wanted` of them (fewer if they run out)."""
        chosen = self.saves[self.used : self.used + wanted]
        self.used += len(chosen)
        return chosen


def pick(app: Flask, meetings: int = 25, owners: int = 400, signers: int = 300) -> Picks:
    with app.app_context():
        session = db.session
        bench_hash = session.scalar(
            sa.select(User.password_hash).where(User.email_key == BENCH_EMAIL)
        )
        upcoming = session.execute(
            sa.select(Meeting.id, sa.func.coalesce(Meeting.chair_id, Meeting.minute_taker_id))
            .where(Meeting.status == MeetingStatus.SCHEDULED, Meeting.starts_at > now_utc())
            .where(sa.func.coalesce(Meeting.chair_id, Meeting.minute_taker_id).is_not(None))
            .order_by(Meeting.starts_at)
            .limit(meetings)
        ).all()
        open_prep = session.execute(
            sa.select(PrepRequest.user_id, PrepRequest.id, PrepRequest.revision)
            .where(PrepRequest.completed_at.is_(None), PrepRequest.due_at > now_utc())
            .order_by(PrepRequest.user_id, PrepRequest.id)
        ).all()
        by_user: dict[int, list[tuple[int, int]]] = {}
        for user_id, request_id, revision in open_prep:
            if len(by_user) < owners or user_id in by_user:
                by_user.setdefault(user_id, []).append((request_id, revision))
        people = session.scalars(
            sa.select(User)
            .where(User.is_active, ~User.is_admin, User.email_key != BENCH_EMAIL)
            .order_by(User.id.desc())
            .limit(signers)
        ).all()
        wanted = {u for _m, u in upcoming} | set(by_user) | {u.id for u in people}
        session.execute(sa.update(User).where(User.id.in_(wanted)).values(password_hash=bench_hash))
        rows = session.execute(sa.select(User.id, User.email).where(User.id.in_(wanted)))
        email = {row.id: row.email for row in rows}
        tokens = [calendar.issue_person_link(u, None) for u in people]
        signer_emails = [u.email for u in people]
        session.commit()
    return Picks(
        signer_emails,
        [(email[u], m) for m, u in upcoming],
        {email[u]: reqs for u, reqs in by_user.items()},
        tokens,
    )


def signed_in(base: str, email: str) -> tuple[str, str]:
    """A session cookie for `email` and the CSRF token of its My prep page."""
    browser = requests.Session()
    token = CSRF.search(browser.get(base + "/login").text).group(1)  # type: ignore[union-attr]
    data = {"email": email, "password": BENCH_PASSWORD, "csrf_token": token}
    response = browser.post(base + "/login", data=data, allow_redirects=False)
    if response.status_code != 302:
        raise RuntimeError(f"{email} could not sign in ({response.status_code})")
    page = browser.get(base + "/prep").text
    # Taken after the page: the form token's secret is kept in the session it updates.
    cookie = "; ".join(f"{c.name}={c.value}" for c in browser.cookies)
    return cookie, CSRF.search(page).group(1)  # type: ignore[union-attr]


def make_ready(base: str, picks: Picks, progress: Any) -> Ready:
    progress(f"signing in {len(picks.runners)} meeting runners, {len(picks.owners)} prep owners")
    meetings = [(signed_in(base, email)[0], meeting) for email, meeting in picks.runners]
    ranked = []
    for email, owed in picks.owners.items():
        cookie, csrf = signed_in(base, email)
        ranked += [(n, cookie, csrf, rid, rev) for n, (rid, rev) in enumerate(owed)]
    # Each owner's first request, then each one's second...: consecutive saves are
    # different people's.
    ranked.sort(key=lambda s: s[0])
    saves = [(cookie, csrf, rid, rev) for _n, cookie, csrf, rid, rev in ranked]
    feeds = []
    for token in picks.feed_tokens:
        response = requests.get(f"{base}/calendar/{token}.ics", timeout=30)
        feeds.append((token, response.headers["ETag"]))
    return Ready(picks.signers, meetings, saves, feeds)
