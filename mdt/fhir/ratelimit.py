"""Requests per client per minute, counted in this process.

Kept behind one function, `check(key, limit)`, so that it can move onto Flask-Limiter (a
`limit` on the blueprint with the client id as `key_func`) when the app takes that on;
with several worker processes each counts its own share, so the limit is per worker.
"""

from __future__ import annotations

import threading
import time

_lock = threading.Lock()
_windows: dict[str, tuple[int, int]] = {}


def check(key: str, per_minute: int, now: float | None = None) -> int | None:
    """None when the request may go ahead; else the seconds until the next window."""
    moment = time.time() if now is None else now
    window = int(moment // 60)
    with _lock:
        start, count = _windows.get(key, (window, 0))
        if start != window:
            start, count = window, 0
        if count >= per_minute:
            return 60 - int(moment % 60)
        _windows[key] = (start, count + 1)
    return None


def reset() -> None:
    with _lock:
        _windows.clear()
