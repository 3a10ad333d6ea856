"""`mdt bench-busy-hour`: the busy hour's mix, open loop, at rising rates, on one node.

gunicorn serves the app as `mdt bench` serves it; bench/busy_load.py (Locust's client,
its own process) replays each step. Per step: the offered and achieved request rates,
p50/p95/p99, errors, and the CPU seconds per request of the gunicorn processes and of the
database's backends for this database (from /proc, before and after), and of the load
tool itself (it shares the machine's cores).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psutil
import sqlalchemy as sa

from bench import busy_state
from bench.busy_hour import MODEL, requests_per_second
from bench.run import _app
from bench.timing import host_speed
from bench.wrk import Settings, gunicorn

#: p95 under this and no errors: the step is served.
P95_LIMIT_MS = 200.0


@dataclass
class StepResult:
    multiple: float
    offered: float  # requests/s the schedule sends (flows × their requests)
    achieved: float
    p50: float
    p95: float
    p99: float
    errors: int
    app_cpu: float  # CPU s per request, gunicorn
    db_cpu: float  # CPU s per request, PostgreSQL backends
    tool_cpu: float  # CPU s per request, the load tool
    late_s: float
    pages_p95: float  # everything but the sign-in post (the password check)
    by_name: dict[str, Any]

    @property
    def served(self) -> bool:
        return self.errors == 0 and self.p95 < P95_LIMIT_MS


def _server_cpu() -> dict[int, float]:
    found = {}
    for child in psutil.Process().children(recursive=True):
        try:
            if "serve" in " ".join(child.cmdline()) or "gunicorn" in child.name():
                times = child.cpu_times()
                found[child.pid] = times.user + times.system
        except psutil.NoSuchProcess:
            continue
    return found


def _db_cpu(engine: sa.Engine) -> dict[int, float]:
    with engine.connect() as conn:
        pids = conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        ).scalars()
        found = {}
        for pid in pids:
            try:
                times = psutil.Process(pid).cpu_times()
                found[pid] = times.user + times.system
            except psutil.NoSuchProcess:
                continue
    return found


def _spent(before: dict[int, float], after: dict[int, float]) -> float:
    return sum(t - before.get(pid, 0.0) for pid, t in after.items())


def _load(spec: dict[str, Any]) -> tuple[dict[str, Any], float]:
    """Runs one step in its own process; its figures and the CPU seconds it used."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump(spec, fh)
    tool = subprocess.Popen([sys.executable, "-m", "bench.busy_load", fh.name], stdout=-1)
    out = tool.stdout.read()  # type: ignore[union-attr]
    _pid, status, usage = os.wait4(tool.pid, 0)
    os.unlink(fh.name)
    if status != 0:
        raise RuntimeError("the load tool failed (see its error above)")
    return json.loads(out.decode().strip().splitlines()[-1]), usage.ru_utime + usage.ru_stime


def step(
    base: str, engine: sa.Engine, ready: busy_state.Ready, multiple: float, seconds: int
) -> StepResult:
    saves = round(MODEL[1].per_hour * multiple / 3600 * seconds) + 5
    spec = {
        "base": base,
        "multiple": multiple,
        "seconds": seconds,
        "sign in": ready.signers,
        "meeting mode": ready.meetings,
        "my prep save": ready.spec_saves(saves),
        "feeds": ready.feeds,
    }
    server, database = _server_cpu(), _db_cpu(engine)
    figures, tool = _load(spec)
    app_cpu, db_cpu = _spent(server, _server_cpu()), _spent(database, _db_cpu(engine))
    total = figures["total"]
    done = max(1, total["requests"])
    errors = total["failures"] + figures["failed_flows"] + figures["unfinished"]
    return StepResult(
        multiple,
        requests_per_second() * multiple,
        total["requests"] / seconds,
        total["p50"],
        total["p95"],
        total["p99"],
        errors,
        app_cpu / done,
        db_cpu / done,
        tool / done,
        figures["late_s"],
        figures["pages"]["p95"],
        figures["by_name"] | {"errors": figures["errors"]},
    )


def run(
    settings: Settings,
    multiples: list[float],
    seconds: int,
    progress: Callable[[str], None],
) -> dict[str, Any]:
    app = _app(settings)
    progress("picking people, meetings, prep and feeds; setting passwords (writes)")
    picks = busy_state.pick(app)
    progress("timing a fixed piece of Python (the host's speed)")
    loop = host_speed()
    engine = sa.create_engine(settings.database_url.replace("postgresql:", "postgresql+psycopg:"))
    steps = []
    with gunicorn(settings) as base:
        ready = busy_state.make_ready(base, picks, progress)
        for multiple in multiples:
            result = step(base, engine, ready, multiple, seconds)
            steps.append(result)
            progress(
                f"{multiple:g}×: {result.offered:.1f}/s offered, {result.achieved:.1f}/s, "
                f"p95 {result.p95:.0f} ms, {result.errors} errors, load {os.getloadavg()[0]:.2f}"
            )
            for name, f in sorted(result.by_name.items()):
                if name != "errors":
                    progress(
                        f"    {name}: {f['requests']} req, p50 {f['p50']:.0f}, "
                        f"p95 {f['p95']:.0f} ms, {f['failures']} failed"
                    )
            if result.by_name["errors"]:
                progress(f"    errors: {result.by_name['errors']}")
            if result.errors or result.p95 > 5 * P95_LIMIT_MS:
                break  # saturated: later steps would only queue more
    engine.dispose()
    return {"steps": steps, "loop_ms": loop, "model_rps": requests_per_second()}
