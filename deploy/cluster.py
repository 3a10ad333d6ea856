"""Several web nodes behind HAProxy, schedulers beside them, Redis for the shared limits, all
on one PostgreSQL database and on this machine's loopback (distinct ports).

    python -m deploy.cluster --database-url postgresql://postgres@127.0.0.1:5432/mdt \\
        [--nodes 2] [--schedulers 2] [--port 8080]

migrates the database, starts Redis, the nodes (`mdt serve`), HAProxy and the schedulers
(`python -m scheduler`), prints their addresses and runs until Ctrl-C, then stops them all.
It is how the multi-node tests (tests/cluster/) start their deployment, and a starting point
for a real one: there, each part runs on its own host and the addresses are real.
"""

from __future__ import annotations

import argparse
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HAPROXY_TEMPLATE = Path(__file__).with_name("haproxy.cfg.in")
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_until(ready, what: str, timeout: float = 60.0) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {timeout:.0f} s")
        time.sleep(0.1)


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass
class Part:
    """One process of the deployment, in a process group of its own (so that gunicorn's
    workers go with their master when it is killed)."""

    name: str
    command: list[str]
    log: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self, env: dict[str, str]) -> None:
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                self.command,
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )

    def signal(self, sig: int) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, sig)

    def stop(self, timeout: float = 20) -> None:
        if self.process is None:
            return
        self.signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.signal(signal.SIGKILL)
            self.process.wait()


@dataclass
class Cluster:
    database_url: str
    nodes: int = 2
    schedulers: int = 1
    workers: int = 2
    port: int = 0
    #: More settings for every process (MDT_* variables).
    settings: dict[str, str] = field(default_factory=dict)
    #: What starts a scheduler (tests start it with its clock set).
    scheduler_command: list[str] = field(
        default_factory=lambda: [sys.executable, "-m", "scheduler"]
    )
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="mdt-cluster-")))
    redis_url: str = ""
    node_ports: list[int] = field(default_factory=list)
    parts: dict[str, Part] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def node_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.node_ports[index]}"

    def env(self) -> dict[str, str]:
        return (
            os.environ
            | {
                "MDT_DATABASE_URL": self.database_url,
                "MDT_BASE_URL": self.url,
                "MDT_SECURITY_RATE_LIMIT_STORAGE_URI": self.redis_url,
                "MDT_SERVER_TRUSTED_PROXIES": "1",
            }
            | self.settings
        )

    def start(self) -> Cluster:
        self.port = self.port or free_port()
        self.settings.setdefault("MDT_SECRET_KEY", secrets.token_urlsafe(32))
        self._start_redis()
        self._migrate()
        self._start_nodes()
        self._start_haproxy()
        for index in range(self.schedulers):
            self.start_scheduler(index)
        return self

    def _start_redis(self) -> None:
        if self.redis_url:
            return
        port = free_port()
        redis = self._part(
            "redis",
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
            ],
        )
        redis.start(self.env())
        self.redis_url = f"redis://127.0.0.1:{port}/0"
        wait_until(lambda: _redis_answers(port), "Redis")

    def _migrate(self) -> None:
        subprocess.run(
            [str(BIN / "mdt"), "db", "upgrade"],
            cwd=ROOT,
            env=self.env(),
            check=True,
            capture_output=True,
        )

    def _start_nodes(self) -> None:
        self.node_ports = [free_port() for _ in range(self.nodes)]
        for index, port in enumerate(self.node_ports):
            node = self._part(
                f"node{index + 1}",
                [
                    str(BIN / "mdt"),
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(self.workers),
                ],
            )
            node.start(self.env())
        for index in range(self.nodes):
            wait_until(lambda i=index: answers(self.node_url(i) + "/healthz"), f"node{index + 1}")

    def _start_haproxy(self) -> None:
        servers = "\n".join(
            f"    server node{index + 1} 127.0.0.1:{port} check"
            for index, port in enumerate(self.node_ports)
        )
        config = self.workdir / "haproxy.cfg"
        config.write_text(HAPROXY_TEMPLATE.read_text().format(port=self.port, servers=servers))
        haproxy = self._part(
            "haproxy", [shutil.which("haproxy") or "/usr/sbin/haproxy", "-db", "-f", str(config)]
        )
        haproxy.start(self.env())
        wait_until(lambda: answers(self.url + "/healthz"), "HAProxy")

    def start_scheduler(
        self,
        index: int,
        command: list[str] | None = None,
        settings: dict[str, str] | None = None,
    ) -> Part:
        """Scheduler number index + 1; tests may start more, with their own command (a set
        clock) and settings (their own mail server)."""
        scheduler = self._part(f"scheduler{index + 1}", command or self.scheduler_command)
        scheduler.start(self.env() | (settings or {}))
        return scheduler

    def _part(self, name: str, command: list[str]) -> Part:
        part = self.parts[name] = Part(name, command, self.workdir / f"{name}.log")
        return part

    def kill(self, name: str) -> None:
        """SIGKILL, no goodbye: what a crashed host looks like to the others."""
        part = self.parts[name]
        part.signal(signal.SIGKILL)
        assert part.process is not None
        part.process.wait()

    def stop(self) -> None:
        # Schedulers first (they finish the message they are sending), then the front, the
        # nodes, and Redis last.
        order = sorted(
            self.parts.values(), key=lambda p: ("sched" not in p.name, p.name == "redis")
        )
        for part in order:
            part.stop()

    def logs(self) -> str:
        return "\n".join(
            f"--- {part.name}\n{part.log.read_text(errors='replace')[-4000:]}"
            for part in self.parts.values()
            if part.log.exists()
        )


def _redis_answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.cluster", description=__doc__)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--nodes", type=int, default=2)
    parser.add_argument("--schedulers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per node")
    parser.add_argument("--port", type=int, default=8080, help="HAProxy's port")
    args = parser.parse_args(argv)
    cluster = Cluster(
        args.database_url,
        args.nodes,
        args.schedulers,
        args.workers,
        args.port,
        settings={"MDT_SECRET_KEY": os.environ.get("MDT_SECRET_KEY", secrets.token_urlsafe(32))},
    )
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        cluster.start()
        print(f"HAProxy: {cluster.url}")
        for index in range(cluster.nodes):
            print(f"node{index + 1}: {cluster.node_url(index)}")
        print(f"Redis: {cluster.redis_url}; logs in {cluster.workdir}. Ctrl-C stops them all.")
        signal.sigwait({signal.SIGINT, signal.SIGTERM})
    finally:
        cluster.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
