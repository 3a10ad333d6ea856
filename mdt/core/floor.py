"""The floor: a route that does nothing but answer, on the same app and server as the pages,
so a page's time can be read as a multiple of what the framework itself costs. Registered
only with the [bench] floor setting (MDT_BENCH_FLOOR=true), which `mdt bench` sets. It lives
in the app, not in the benchmark harness (bench/), because the app serves it."""

from __future__ import annotations

from flask import Flask


def floor() -> str:
    return "floor"


def init_app(app: Flask) -> None:
    app.add_url_rule("/bench/floor", "bench.floor", floor)
