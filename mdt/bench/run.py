"""`mdt bench`: the key pages under gunicorn and wrk, against the floor route and Radicale.

The app runs as `mdt serve` runs it (gunicorn, sync workers) with the floor route on; wrk
loads one URL at a time from a second process, signed in as the benchmark user. Queries per
request are counted in-process with the test client; the scheduler sweep and "find a slot"
are timed in-process. Nothing here is a test: it prints measurements.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time as clock
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, time, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask

from mdt import create_app
from mdt.bench import peer
from mdt.bench.pages import PAGES, Targets, find_targets, queries_per_page
from mdt.bench.seed import BENCH_EMAIL, BENCH_PASSWORD, BENCH_TEAM
from mdt.core.time import now_utc
from mdt.extensions import db

#: Prints p50, p95 (in microseconds), requests, seconds, non-2xx/3xx and socket errors.
WRK_SCRIPT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("RESULT %d %d %d %d %d %d\\n", latency:percentile(50),
    latency:percentile(95), summary.requests, summary.duration, e.status,
    e.connect + e.read + e.write + e.timeout))
end
"""


@dataclass
class Load:
    p50_ms: float
    p95_ms: float
    rps: float
    errors: int


@dataclass
class Settings:
    database_url: str
    duration: int = 10
    connections: int = 2
    workers: int = 2
    port: int = 5391
    radicale: bool = True


def wrk(url: str, settings: Settings, headers: dict[str, str]) -> Load:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(WRK_SCRIPT)
    command = ["wrk", "-t1", f"-c{settings.connections}", f"-d{settings.duration}s"]
    command += ["-s", script.name]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    line = next(line for line in out.splitlines() if line.startswith("RESULT"))
    p50, p95, requests, micros, status, socket = (int(x) for x in line.split()[1:])
    return Load(p50 / 1000, p95 / 1000, requests / (micros / 1e6), status + socket)


def port_free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def _wait_for(url: str, headers: dict[str, str] | None = None, seconds: float = 30) -> None:
    deadline = clock.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=2)
            return
        except Exception:
            if clock.monotonic() > deadline:
                raise
            clock.sleep(0.3)


@contextmanager
def gunicorn(settings: Settings) -> Iterator[str]:
    env = os.environ | {
        "MDT_DATABASE_URL": settings.database_url,
        "MDT_SECRET_KEY": "bench-secret-key",
        "MDT_BENCH_FLOOR": "true",
        "MDT_MAIL_TRANSPORT": "folder",
        "MDT_MAIL_FOLDER": tempfile.mkdtemp(prefix="mdt-bench-mail-"),
    }
    if not port_free(settings.port):
        raise RuntimeError(f"port {settings.port} is in use: choose another with --port")
    mdt = str(Path(sys.executable).with_name("mdt"))
    command = [mdt, "serve", "--port", str(settings.port), "--workers", str(settings.workers)]
    log_path = Path(tempfile.mkdtemp(prefix="mdt-bench-")) / "gunicorn-errors.log"
    print(f"  gunicorn's error log: {log_path}", file=sys.stderr)
    base = f"http://127.0.0.1:{settings.port}"
    # The access log (stdout) is written as in production, to nowhere; errors are kept.
    with log_path.open("w") as log:
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=log)
        try:
            _wait_for(base + "/bench/floor")
            yield base
        finally:
            server.terminate()
            server.wait(timeout=30)


def session_cookie(base: str) -> str:
    """Sign in once, as a browser would; wrk then sends the cookie with every request."""
    import requests

    browser = requests.Session()
    page = browser.get(base + "/login").text
    token = page.split('name="csrf_token"', 1)[1].split('value="', 1)[1].split('"', 1)[0]
    response = browser.post(
        base + "/login",
        data={"email": BENCH_EMAIL, "password": BENCH_PASSWORD, "csrf_token": token},
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise RuntimeError(f"sign-in failed: {response.status_code}")
    return "; ".join(f"{c.name}={c.value}" for c in browser.cookies)


def measure_pages(
    settings: Settings, targets: Targets, progress: Callable[[str], None]
) -> tuple[dict[str, Load | str], bytes]:
    [(results, body)] = measure_interleaved([(settings, targets)], progress)
    return results, body


def measure_interleaved(
    servers: list[tuple[Settings, Targets]], progress: Callable[[str], None]
) -> list[tuple[dict[str, Load | str], bytes]]:
    """Each page on each server in turn (one gunicorn per database), so that two databases
    compared page by page see the same load from whatever else runs on the machine."""
    with ExitStack() as stack:
        bases = [stack.enter_context(gunicorn(settings)) for settings, _ in servers]
        states = [_State(session_cookie(base)) for base in bases]
        for name, path in PAGES:
            for (settings, targets), base, state in zip(servers, bases, states, strict=True):
                _measure_page(name, base + targets.url(path), settings, state, progress)
    return [(state.results | _floors_of(state), state.body) for state in states]


def _floors_of(state: _State) -> dict[str, Load | str]:
    return {f"floor before {name}": load for name, load in state.floors.items()}


def floor_for(results: dict[str, Any], name: str) -> Load | None:
    """The floor a page is divided by: the one measured just before it (the run's first
    floor where there is none, as for Radicale)."""
    floor = results.get(f"floor before {name}", results.get("floor"))
    return floor if isinstance(floor, Load) else None


@dataclass
class _State:
    cookie: str
    etag: str = ""
    body: bytes = b""
    results: dict[str, Load | str] = field(default_factory=dict)
    #: The floor measured again just before each page, on the same server: a shared
    #: machine's speed drifts over a run, and a page is divided by the floor of its moment.
    floors: dict[str, Load] = field(default_factory=dict)


def _measure_page(
    name: str, url: str, settings: Settings, state: _State, progress: Callable[[str], None]
) -> None:
    headers = {"Cookie": state.cookie}
    if name == "feed (304)":
        headers = {"If-None-Match": state.etag}
    elif name == "feed (full)":
        headers = {}
    check = _get(url, headers)
    if check.status_code == 404:
        state.results[name] = (
            "404: not built on this branch yet" if name == "team report" else "404"
        )
        progress(f"{name}: 404, skipped")
        return
    expected = 304 if name == "feed (304)" else 200
    if check.status_code != expected:
        raise RuntimeError(f"{name}: {url} answered {check.status_code}")
    if name == "feed (full)":
        state.etag, state.body = check.headers["ETag"], check.content
    if name != "floor":
        short = replace(settings, duration=max(2, settings.duration // 3))
        floor = urllib.parse.urljoin(url, "/bench/floor")
        state.floors[name] = wrk(floor, short, {"Cookie": state.cookie})  # as the first
    state.results[name] = load = wrk(url, settings, headers)
    progress(f"{name}: p50 {load.p50_ms:.1f} ms, p95 {load.p95_ms:.1f} ms, {load.rps:.0f}/s")


def compare(
    first: Settings, second: Settings, progress: Callable[[str], None], rounds: int = 1
) -> list[list[dict[str, Load | str]]]:
    """The pages only, on two databases (say practice and region), interleaved; `rounds`
    times over (a p95 from one 10-second load of a page is a noisy figure on a shared
    machine). Each round: [first's results, second's]."""
    second.port = first.port + 1
    servers = [(settings, find_targets(_app(settings))) for settings in (first, second)]
    found = []
    for n in range(rounds):
        if rounds > 1:
            progress(f"round {n + 1} of {rounds}")
        found.append([results for results, _body in measure_interleaved(servers, progress)])
    return found


def comparison_table(rounds: list[list[dict[str, Load | str]]], labels: tuple[str, str]) -> str:
    """Each page's p95 on both, their ratio (each round's, then the median), and each p50
    over the floor measured beside it (the median over the rounds)."""
    each = len(rounds) > 1
    lines = [
        f"| page | p95 {labels[0]} | p95 {labels[1]} | ratio |"
        + (" ratio each round |" if each else "")
        + f" p50/floor {labels[0]} | p50/floor {labels[1]} |",
        "|---|---:|---:|---:|" + ("---|" if each else "") + "---:|---:|",
    ]
    for name, _path in PAGES:
        pairs = [(a.get(name), b.get(name)) for a, b in rounds]
        if not all(isinstance(x, Load) and isinstance(y, Load) for x, y in pairs):
            # Not loaded on one side (a 404, say): the first round's p95 or what happened.
            x, y = (_p95_or_why(found) for found in pairs[0])
            lines.append(f"| {name} | {x} | {y} | |" + (" |" if each else "") + " | |")
            continue
        loads: list[tuple[Load, Load]] = pairs  # type: ignore[assignment]
        ratios = [y.p95_ms / x.p95_ms for x, y in loads]
        p95s = [statistics.median(pair[side].p95_ms for pair in loads) for side in (0, 1)]
        over = [
            _median_over_floor(
                [(r[side], pair[side]) for r, pair in zip(rounds, loads, strict=True)], name
            )
            for side in (0, 1)
        ]
        lines.append(
            f"| {name} | {p95s[0]:.1f} | {p95s[1]:.1f} | {statistics.median(ratios):.2f} |"
            + (f" {', '.join(f'{r:.2f}' for r in ratios)} |" if each else "")
            + f" {over[0]} | {over[1]} |"
        )
    return "\n".join(lines)


def _p95_or_why(found: Load | str | None) -> str:
    return f"{found.p95_ms:.1f}" if isinstance(found, Load) else (found or "")


def _median_over_floor(measured: list[tuple[dict[str, Any], Load]], name: str) -> str:
    ratios = [
        load.p50_ms / floor.p50_ms
        for results, load in measured
        if (floor := floor_for(results, name)) is not None
    ]
    return f"{statistics.median(ratios):.1f}" if ratios else ""


def _get(url: str, headers: dict[str, str]) -> Any:
    """One request to check a page answers; a 5xx is tried again (on SQLite, a write can
    fail with "database is locked" while the previous page's load drains), then reported."""
    import requests

    for _ in range(3):
        response = requests.get(url, headers=headers, allow_redirects=False, timeout=60)
        if response.status_code < 500:
            break
        clock.sleep(1)
    return response


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


def _app(settings: Settings) -> Flask:
    return create_app(
        {
            "DATABASE_URL": settings.database_url,
            "SECRET_KEY": "bench-secret-key",
            "BENCH_FLOOR": True,
            "MAIL_TRANSPORT": "folder",
            "MAIL_FOLDER": tempfile.mkdtemp(prefix="mdt-bench-mail-"),
        }
    )


def run(settings: Settings, progress: Callable[[str], None]) -> dict:  # type: ignore[type-arg]
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")
    app = _app(settings)
    targets = find_targets(app)
    progress("timing a fixed piece of Python (the host's speed)")
    host_ms = host_speed()
    progress("counting queries per page (in-process)")
    queries = queries_per_page(app, targets)
    progress("timing the scheduler sweep and find a slot (in-process)")
    sweep_ms = time_sweep(app)
    members, slot_ms = time_find_slot(app)
    db.state(app).engine.dispose()
    progress(
        f"serving with gunicorn ({settings.workers} workers); wrk {settings.duration} s a page"
    )
    loads, feed_body = measure_pages(settings, targets, progress)
    radicale = None
    if settings.radicale and feed_body:
        progress("serving the same events from Radicale")
        radicale = peer.measure(feed_body, lambda url, headers: wrk(url, settings, headers))
    return {
        "queries": queries,
        "loads": loads,
        "sweep_ms": sweep_ms,
        "find_slot": (members, slot_ms),
        "radicale": radicale,
        "host_ms": host_ms,
        "feed_events": feed_body.count(b"BEGIN:VEVENT"),
        "feed_bytes": len(feed_body),
        "meeting": targets.meeting,
        "team": targets.team,
    }


def table(result: dict, label: str) -> str:  # type: ignore[type-arg]
    loads, queries = result["loads"], result["queries"]
    lines = [
        f"| {label} | p50 ms | p95 ms | req/s | queries | floor p50 ms | p50 / floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, _path in PAGES:
        load = loads.get(name)
        if not isinstance(load, Load):
            lines.append(f"| {name} | {load or 'not measured'} | | | | | |")
            continue
        count = queries.get(name)
        floor = floor_for(loads, name)
        ratio = f"{load.p50_ms / floor.p50_ms:.1f}" if floor else ""
        errors = f" ({load.errors} errors)" if load.errors else ""
        lines.append(
            f"| {name} | {load.p50_ms:.1f} | {load.p95_ms:.1f} | {load.rps:.0f}{errors} | "
            f"{'' if count is None else count} | {floor.p50_ms if floor else 0:.1f} | {ratio} |"
        )
    floor = floor_for(loads, "floor")
    if result["radicale"] is not None and floor is not None:
        r: Load = result["radicale"]
        lines.append(
            f"| Radicale, same events | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.rps:.0f} | | "
            f"{floor.p50_ms:.1f} | {r.p50_ms / floor.p50_ms:.1f} |"
        )
    members, slot_ms = result["find_slot"]
    catch_up, steady = result["sweep_ms"]
    lines += [
        "",
        f"Feed: {result['feed_events']} events, {result['feed_bytes']:,} bytes.",
        f"Scheduler sweep at 07:31 on the next working day: {catch_up:.0f} ms catching up on "
        f"a week with no scheduler; then each minute's sweep: "
        f"{', '.join(f'{t:.0f}' for t in steady)} ms.",
        f"Find a slot ({members} members, monthly, weekdays 12:00-14:30): median "
        f"{statistics.median(slot_ms):.0f} ms, worst {max(slot_ms):.0f} ms.",
        f"Host speed: a fixed Python loop (a million f-strings) took a median of "
        f"{statistics.median(result['host_ms']):.0f} ms (of {len(result['host_ms'])}).",
        "Each page's p50 is divided by the floor's p50 measured just before it.",
    ]
    return "\n".join(lines)


def save(result: dict, path: str) -> None:  # type: ignore[type-arg]
    def plain(value: object) -> object:
        return value.__dict__ if isinstance(value, Load) else str(value)

    Path(path).write_text(json.dumps(result, default=plain, indent=1))


def today() -> date:
    return now_utc().date()
