"""Loading one URL with wrk, from a second process, and the gunicorn it loads: the app run as
`mdt serve` runs it (sync workers) with the floor route on, signed in as the benchmark user."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time as clock
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.scales import BENCH_EMAIL, BENCH_PASSWORD

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


def wait_for(url: str, headers: dict[str, str] | None = None, seconds: float = 30) -> None:
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
            wait_for(base + "/bench/floor")
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
