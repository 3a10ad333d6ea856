"""The peer: Radicale (a CalDAV server) serving the same events as our personal feed, as
one .ics from a GET on the collection, which is what a calendar app subscribing to it gets.

The events are our feed's own VEVENTs, one file each in Radicale's filesystem storage (the
way Radicale stores a collection), each with the VTIMEZONEs it refers to.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PORT = 5393
USER = "bench"


def components(body: bytes, name: str) -> list[str]:
    text = body.decode()
    begin, end = f"BEGIN:{name}\r\n", f"END:{name}\r\n"
    found, start = [], text.find(begin)
    while start != -1:
        stop = text.index(end, start) + len(end)
        found.append(text[start:stop])
        start = text.find(begin, stop)
    return found


def write_collection(body: bytes, folder: Path) -> int:
    collection = folder / "collection-root" / USER / "calendar"
    collection.mkdir(parents=True)
    (collection / ".Radicale.props").write_text(json.dumps({"tag": "VCALENDAR"}))
    zones = "".join(components(body, "VTIMEZONE"))
    events = components(body, "VEVENT")
    for n, event in enumerate(events):
        (collection / f"event-{n}.ics").write_bytes(
            (
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//MDT Coordinator bench//EN\r\n"
                f"{zones}{event}END:VCALENDAR\r\n"
            ).encode()
        )
    return len(events)


def measure(body: bytes, load: Callable[[str, dict[str, str]], Any]) -> Any:
    from bench.wrk import port_free, wait_for

    if not port_free(PORT):
        raise RuntimeError(f"port {PORT} is in use")

    folder = Path(tempfile.mkdtemp(prefix="mdt-bench-radicale-"))
    write_collection(body, folder / "storage")
    command = [
        sys.executable,
        "-m",
        "radicale",
        "--config",
        "",
        "--server-hosts",
        f"127.0.0.1:{PORT}",
        "--storage-filesystem-folder",
        str(folder / "storage"),
        "--auth-type",
        "none",
        "--rights-type",
        "owner_only",
        "--logging-level",
        "warning",
    ]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{PORT}/{USER}/calendar/"
    headers = {"Authorization": "Basic " + base64.b64encode(f"{USER}:x".encode()).decode()}
    try:
        wait_for(url, headers)  # also warms Radicale's item cache
        return load(url, headers)
    finally:
        server.terminate()
        server.wait(timeout=30)
