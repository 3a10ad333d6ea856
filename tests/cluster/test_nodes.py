"""Two web nodes behind HAProxy, on one PostgreSQL database, behave as one service.

The deployment is the one `python -m deploy.cluster` starts (deploy/): HAProxy on loopback
in front of two `mdt serve` nodes (gunicorn, two workers each), Redis keeping the sign-in
limits, and a scheduler. Requests go through HAProxy as a browser's would, and HAProxy says
which node answered each (X-Served-By).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
import requests
import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from deploy.cluster import Cluster
from mdt.calendar.models import CalendarFeed
from mdt.core.time import now_utc
from mdt.core.tokens import new_token, token_hash
from mdt.directory.models import Service
from tests.conftest import (
    BACKEND,
    _postgres_url,
    create_postgres_database,
    drop_postgres_database,
)
from tests.factories import Factory
from tests.mail.support import SMTPServer, free_port
from tests.reminders.support import london, meeting_on
from tests.scheduler.conftest import SlowOrHoldingRecorder

pytestmark = pytest.mark.skipif(
    BACKEND != "postgresql", reason="several nodes share one PostgreSQL database"
)

SIGN_IN_LIMIT = 6
MONDAY_0730 = london(2027, 1, 11, 7, 30)


def _binaries_present() -> None:
    missing = [name for name in ("haproxy", "redis-server") if not _which(name)]
    if missing:
        message = f"{', '.join(missing)} not installed (apt-get install -y haproxy redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _which(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/bin")


class FormReader(HTMLParser):
    """The fields of the page's forms, as a browser would post them (first option chosen
    unless one is selected)."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.forms.append({})
        elif not self.forms or "name" not in a:
            if tag == "option" and self._select:
                fields = self.forms[-1]
                if self._select not in fields or "selected" in a:
                    fields[self._select] = a.get("value", "")
            return
        elif tag == "input" and a.get("type") not in ("submit", "checkbox", "radio"):
            self.forms[-1][a["name"]] = a.get("value", "")
        elif tag == "select":
            self._select = a["name"]
        elif tag == "textarea":
            self._textarea = a["name"]
            self.forms[-1][a["name"]] = ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self.forms:
            self.forms[-1][self._textarea] += data


def form_on(page: requests.Response, *fields: str) -> dict[str, str]:
    """The page's form that has all these fields (the header's sign-out form has only its
    token)."""
    reader = FormReader()
    reader.feed(page.text)
    found = [f for f in reader.forms if set(fields) <= set(f)]
    assert found, f"no form with {fields} on {page.url} ({page.status_code})"
    return found[0]


class Browser(requests.Session):
    """A signed-in person's browser, pointed at HAProxy."""

    def __init__(self, base: str) -> None:
        super().__init__()
        self.base = base

    def go(self, path: str) -> requests.Response:
        return self.get(self.base + path, allow_redirects=False, timeout=30)

    def submit(self, path: str, **changes: str) -> requests.Response:
        fields = form_on(self.go(path), "csrf_token", *changes) | changes
        return self.post(self.base + path, data=fields, allow_redirects=False, timeout=30)

    def sign_in(self, email: str, password: str) -> requests.Response:
        return self.submit("/login", email=email, password=password)


@pytest.fixture(scope="module")
def database_url() -> Iterator[str]:
    base = make_url(_postgres_url())
    url = base.set(database=f"{base.database}_cluster_{uuid.uuid4().hex[:6]}")
    create_postgres_database(url.render_as_string(hide_password=False))
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    yield plain
    drop_postgres_database(url.render_as_string(hide_password=False))


@pytest.fixture(scope="module")
def cluster(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    _binaries_present()
    running = Cluster(
        database_url,
        nodes=2,
        schedulers=1,
        settings={
            "MDT_SECURITY_RATE_LIMIT_SIGN_IN": f"{SIGN_IN_LIMIT} per minute",
            "MDT_MAIL_TRANSPORT": "folder",
            "MDT_MAIL_FOLDER": str(tmp_path_factory.mktemp("outbox")),
        },
        workdir=tmp_path_factory.mktemp("cluster"),
    )
    try:
        yield running.start()
    except BaseException:
        print(running.logs())
        raise
    finally:
        running.stop()


@pytest.fixture(scope="module")
def engine(database_url: str) -> Iterator[sa.Engine]:
    engine = sa.create_engine(database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    yield engine
    engine.dispose()


@pytest.fixture(scope="module")
def story(cluster: Cluster, engine: sa.Engine) -> dict[str, object]:
    """A coordinator with a team, a meeting next week, a directory entry and a feed link."""
    with Session(engine) as session:
        make = Factory(session)
        coordinator = make.user(name="Alex Morgan")
        team = make.team(coordinator=coordinator, name="Riverside MDT")
        starts = now_utc().replace(microsecond=0) + timedelta(days=7)
        meeting = make.meeting(team, starts_at=starts, ends_at=starts + timedelta(hours=1))
        service = make.service(owner=coordinator, name="Falls clinic")
        token = new_token()
        session.add(
            CalendarFeed(user_id=coordinator.id, token_hash=token_hash(token), created_at=starts)
        )
        session.commit()
        return {
            "email": coordinator.email,
            "meeting_id": meeting.id,
            "service_id": service.id,
            "feed": f"/calendar/{token}.ics",
        }


@pytest.fixture(scope="module")
def browser(cluster: Cluster, story: dict[str, object]) -> Browser:
    signed_in = Browser(cluster.url)
    answer = signed_in.sign_in(str(story["email"]), Factory.PASSWORD)
    assert answer.status_code == 302, answer.text[:500]
    return signed_in


def test_a_signed_in_persons_requests_alternate_between_the_nodes(browser: Browser) -> None:
    answers = [browser.go("/dashboard") for _ in range(8)]
    assert [a.status_code for a in answers] == [200] * 8, "signed in on every node"
    assert {a.headers["X-Served-By"] for a in answers} == {"node1", "node2"}
    assert all("Alex Morgan" in a.text for a in answers)


def test_a_feed_changed_through_one_node_is_fresh_on_the_other_at_once(
    cluster: Cluster, browser: Browser, story: dict[str, object]
) -> None:
    feed = str(story["feed"])
    first = requests.get(cluster.node_url(1) + feed, timeout=30)
    assert first.status_code == 200 and "Riverside MDT" in first.text
    again = requests.get(
        cluster.node_url(1) + feed, headers={"If-None-Match": first.headers["ETag"]}, timeout=30
    )
    assert again.status_code == 304, "node2 keeps the feed it built"

    # The place changes through node1 (straight to it, not through HAProxy).
    node1 = Browser(cluster.node_url(0))
    node1.cookies = browser.cookies
    edit = f"/meetings/{story['meeting_id']}/edit"
    saved = node1.submit(edit, location="Room 4, Riverside Health Centre")
    assert saved.status_code == 302, saved.text[:1000]

    fresh = requests.get(
        cluster.node_url(1) + feed, headers={"If-None-Match": first.headers["ETag"]}, timeout=30
    )
    assert fresh.status_code == 200
    assert "Room 4\\, Riverside Health Centre" in fresh.text


def test_two_people_saving_the_same_entry_through_two_nodes_one_is_refused(
    cluster: Cluster, browser: Browser, story: dict[str, object]
) -> None:
    edit = f"/directory/services/{story['service_id']}/edit"
    through = [Browser(cluster.node_url(i)) for i in (0, 1)]
    for node in through:
        node.cookies = browser.cookies
    drawn = [form_on(node.go(edit), "csrf_token", "revision") for node in through]
    first = through[0].post(
        through[0].base + edit, data=drawn[0] | {"phone": "0113 496 0001"}, allow_redirects=False
    )
    assert first.status_code == 302
    second = through[1].post(
        through[1].base + edit, data=drawn[1] | {"phone": "0113 496 0002"}, allow_redirects=False
    )
    assert second.status_code == 200, (second.headers, drawn)
    assert "Someone else changed these details" in second.text
    assert "0113 496 0001" in browser.go(f"/directory/services/{story['service_id']}").text


def test_sign_in_limits_count_across_the_nodes(cluster: Cluster, story: dict[str, object]) -> None:
    # From here on this address may not try to sign in for a minute: the others are signed in.
    stranger = Browser(cluster.url)
    fields = form_on(stranger.go("/login"), "csrf_token", "email", "password")
    fields |= {"email": str(story["email"]), "password": "not-the-password"}

    def attempt() -> requests.Response:
        return stranger.post(cluster.url + "/login", data=fields, allow_redirects=False)

    tries = [attempt() for _ in range(SIGN_IN_LIMIT)]
    assert [t.status_code for t in tries] == [200] * SIGN_IN_LIMIT  # refused, with the form
    assert {t.headers["X-Served-By"] for t in tries} == {"node1", "node2"}
    # Each node alone has seen half the refusals; together they reach the limit, wherever
    # the next attempts land.
    over = [attempt() for _ in range(2)]
    assert [o.status_code for o in over] == [429, 429]
    assert {o.headers["X-Served-By"] for o in over} == {"node1", "node2"}


def test_a_node_killed_under_load_loses_no_committed_write_and_the_other_carries_on(
    cluster: Cluster, browser: Browser, engine: sa.Engine
) -> None:
    acknowledged: list[str] = []
    refused: list[int] = []
    stop = threading.Event()

    def add_services(writer: int) -> None:
        me = Browser(cluster.url)
        me.cookies = browser.cookies
        n = 0
        while not stop.is_set():
            n += 1
            name = f"Service {writer}-{n}"
            try:
                page = me.go("/directory/services/new")
                if page.status_code != 200:
                    refused.append(page.status_code)
                    continue
                fields = form_on(page, "csrf_token", "name") | {
                    "name": name,
                    "description": "Home visits",
                    "who_for": "Adults",
                    "how_to_refer": "Phone",
                }
                answer = me.post(
                    me.base + "/directory/services/new",
                    data=fields,
                    timeout=30,
                    allow_redirects=False,
                )
            except requests.RequestException:
                refused.append(0)
                continue
            if answer.status_code == 302:
                acknowledged.append(name)
            else:
                refused.append(answer.status_code)

    writers = [threading.Thread(target=add_services, args=(i,)) for i in range(4)]
    for writer in writers:
        writer.start()
    _wait_for(lambda: len(acknowledged) >= 5, "five saves before the kill")
    before_kill = len(acknowledged)
    cluster.kill("node1")
    time.sleep(4)  # HAProxy stops sending it requests after two failed checks, 1 s apart
    after_detection = len(acknowledged)
    _wait_for(lambda: len(acknowledged) >= after_detection + 5, "five saves after it")
    stop.set()
    for writer in writers:
        writer.join(timeout=60)

    with Session(engine) as session:
        stored = set(session.scalars(sa.select(Service.name).where(Service.name.like("Service %"))))
    print(
        f"saved before the kill {before_kill}, in all {len(acknowledged)}; "
        f"failed {len(refused)} {refused}; stored {len(stored)}"
    )
    assert set(acknowledged) <= stored, "every write the client saw saved is in the database"
    # Only what was in flight on node1 at the kill can have failed.
    assert len(refused) <= 8, refused
    answers = [browser.go("/dashboard") for _ in range(4)]
    assert {(a.status_code, a.headers["X-Served-By"]) for a in answers} == {(200, "node2")}


def _wait_for(condition, what: str, timeout: float = 90) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:.0f} s for {what}"
        time.sleep(0.1)


def test_the_scheduler_beside_the_nodes_answers_for_the_whole_service(cluster: Cluster) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        health = requests.get(cluster.url + "/healthz", timeout=10).json()
        if health["scheduler"] == "ok":
            break
        time.sleep(1)
    assert health == {"status": "ok", "database": "ok", "scheduler": "ok"}
    assert Path(cluster.workdir / "scheduler1.log").exists()


class HoldingAndTelling(SlowOrHoldingRecorder):
    """Holds the QUIT of the hold_at-th message, as tests/scheduler's recorder does, and
    keeps the address of the client it is holding, to tell which scheduler sent it."""

    peer: tuple[str, int] | None = None

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> str:
        if self.hold_at is not None and len(self.received) == self.hold_at:
            self.peer = session.peer
        return await super().handle_QUIT(server, session, envelope)


def _pid_with_local_port(port: int, pids: list[int]) -> int:
    """Which of these processes holds the TCP connection from loopback port `port`."""
    inodes = {
        fields[9]
        for line in Path("/proc/net/tcp").read_text().splitlines()[1:]
        if int((fields := line.split())[1].split(":")[1], 16) == port
    }
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            target = os.readlink(fd) if fd.is_symlink() else ""
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    raise AssertionError(f"no process of {pids} holds local port {port}")


def test_one_of_two_schedulers_killed_while_sending_every_reminder_still_goes(
    cluster: Cluster, engine: sa.Engine
) -> None:
    # The deployment's own scheduler gives way to two whose clocks say Monday 07:30.
    cluster.parts["scheduler1"].stop()
    with Session(engine) as session:
        make = Factory(session)
        team = make.team(name="Northgate MDT")
        for _ in range(5):
            make.member(team)
        meeting_on(make, team, london(2027, 1, 12, 12, 30))  # tomorrow, for them
        session.refresh(team)
        everyone = sorted(m.user.email for m in team.memberships)
    smtp = SMTPServer(free_port())
    smtp.handler = HoldingAndTelling(delay=0.05, hold_at=3)
    smtp.start()
    mail = {
        "MDT_MAIL_TRANSPORT": "smtp",
        "MDT_MAIL_SMTP_HOST": "127.0.0.1",
        "MDT_MAIL_SMTP_PORT": str(smtp.port),
        "MDT_MAIL_SMTP_TIMEOUT": "20",
    }
    at_0730 = [sys.executable, "-m", "tests.scheduler.clock", MONDAY_0730.isoformat()]
    try:
        pair = [cluster.start_scheduler(i, at_0730, mail) for i in (1, 2)]
        assert smtp.handler.holding.wait(timeout=120), "no scheduler got to the third message"
        assert smtp.handler.peer is not None
        pids = [part.process.pid for part in pair if part.process]
        sender = _pid_with_local_port(smtp.handler.peer[1], pids)
        doomed = next(part for part in pair if part.process and part.process.pid == sender)
        cluster.kill(doomed.name)
        smtp.handler.release.set()

        def delivered() -> set[str]:
            return {r.rcpt_tos[0] for r in smtp.received if r.rcpt_tos[0] in everyone}

        # The other scheduler sends the rest; the one in flight at the kill stays claimed by
        # the dead sender until its claim lapses, then goes again: the one repeat.
        _wait_for(lambda: len(delivered()) >= len(everyone) - 1, "the survivor's sending", 180)
        later = MONDAY_0730 + timedelta(minutes=17)
        retry = subprocess.run(
            [sys.executable, "-m", "tests.scheduler.clock", later.isoformat(), "--once"],
            env=cluster.env() | mail,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert retry.returncode == 0, retry.stderr[-2000:]
    finally:
        smtp.handler.release.set()
        smtp.stop()

    ours = [r for r in smtp.received if r.rcpt_tos[0] in everyone]
    counts = Counter(r.rcpt_tos[0] for r in ours)
    assert sorted(counts) == everyone, "nobody is missed"
    assert sum(counts.values()) <= len(everyone) + 1, "at most the message in flight repeats"
    ids = Counter(str(r.message["Message-ID"]) for r in ours)
    assert len(ids) == len(everyone), "one message per reminder; a repeat is the same message"
