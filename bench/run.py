"""`mdt bench`: the key pages under gunicorn and wrk, against the floor route and Radicale.

The app runs as `mdt serve` runs it (gunicorn, sync workers) with the floor route on; wrk
loads one URL at a time from a second process, signed in as the benchmark user. Queries per
request are counted in-process with the test client; the scheduler sweep and "find a slot"
are timed in-process. Nothing here is a test: it prints measurements.
"""

from __future__ import annotations

import shutil
import tempfile
import time as clock
import urllib.parse
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from flask import Flask

from bench import peer
from bench.pages import PAGES, Targets, find_targets, queries_per_page
from bench.timing import host_speed, time_find_slot, time_sweep
from bench.wrk import Load, Settings, gunicorn, session_cookie, wrk
from mdt import create_app
from mdt.extensions import db

T = TypeVar("T")


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
    _need_wrk()
    second.port = first.port + 1
    servers = [(settings, find_targets(_app(settings))) for settings in (first, second)]
    found = []
    for n in range(rounds):
        if rounds > 1:
            progress(f"round {n + 1} of {rounds}")
        measured = measure_interleaved(round_order(servers, n), progress)
        found.append(round_order([results for results, _body in measured], n))
    return found


def round_order(items: list[T], n: int) -> list[T]:
    """Round n's order of the databases, and back: as given in even rounds, the other way
    round in odd ones. The second of a pair is loaded just after the first, and which
    database goes first should not favour either."""
    return items if n % 2 == 0 else items[::-1]


def _need_wrk() -> None:
    if shutil.which("wrk") is None:
        raise RuntimeError("wrk is not installed (Debian: apt-get install wrk)")


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
    _need_wrk()
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
