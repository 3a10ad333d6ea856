"""Times a calendar app's 304 polls of the benchmark user's feed, in-process: with nothing
written between polls (the feed clock stands still: the validator is kept), and with a
write just before each poll (the clock ticks: the validator is taken again).

    .venv/bin/python bench/feed_polls.py [DATABASE_URL]

The database must be filled by `mdt bench-seed` (default: the region database of
docs/benchmarks.md). The write is what every write to a table the feed reads does, a tick of
the feed clock, made on a second connection; the data is left as it was (the clock counts
on). Each poll goes through the app's test client (no gunicorn, no wrk): compare with the
floor route timed the same way, printed first.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time as clock

import sqlalchemy as sa

from bench.pages import find_targets
from mdt import create_app

REGION = "postgresql://postgres@127.0.0.1:5432/mdt_bench_region"
POLLS = 300


def main(url: str) -> None:
    config = {"DATABASE_URL": url, "SECRET_KEY": "bench", "BENCH_FLOOR": True}
    config |= {"MAIL_TRANSPORT": "folder", "MAIL_FOLDER": tempfile.mkdtemp()}
    app = create_app(config)
    feed = find_targets(app).url("/calendar/{token}.ics")
    client = app.test_client()
    etag = client.get(feed).headers["ETag"]
    writer = sa.create_engine(url.replace("postgresql://", "postgresql+psycopg://"))

    def tick() -> None:
        with writer.begin() as conn:
            conn.exec_driver_sql("UPDATE feed_clock SET ticks = ticks + 1 WHERE shard = 0")

    def timed(path: str, headers: dict[str, str], write: bool = False) -> str:
        times = []
        for _ in range(POLLS):
            if write:
                tick()
            started = clock.perf_counter()
            client.get(path, headers=headers)
            times.append((clock.perf_counter() - started) * 1000)
        p95 = statistics.quantiles(times, n=20)[-1]
        return f"p50 {statistics.median(times):.2f} ms, p95 {p95:.2f} ms"

    poll = {"If-None-Match": etag}
    print(f"floor route: {timed('/bench/floor', {})}")
    for _ in range(2):
        print(f"304, nothing written between polls: {timed(feed, poll)}")
        print(f"304, a write before each poll: {timed(feed, poll, write=True)}")
    writer.dispose()


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else REGION)
