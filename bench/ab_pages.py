"""Compares one key page under two versions of the code, request by request, in-process.

    .venv/bin/python bench/ab_pages.py OLD_TREE NEW_TREE "meeting mode" [PAIRS] [DATABASE_URL]

OLD_TREE and NEW_TREE are source trees (say `git worktree add /tmp/old <commit>` and
this one). Each runs in its own process, signed in as the benchmark user of a database filled
by `mdt bench-seed` (the region one by default); the two take turns, one request each (which
goes first alternates), so both see the same moment of a shared machine. Consecutive runs of
the same code here differed by more than the changes being measured (medians of 23 and
38 ms for one page within minutes); a pair's two requests are a few milliseconds apart.
Prints each side's median and the median of new/old over the pairs, with its quartiles.
The page names are those of `mdt bench` (bench/pages.py).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

REGION = "postgresql://postgres@127.0.0.1:5432/mdt_bench_region"


def serve(page: str, database_url: str) -> None:
    """One side: signs in, warms up, then answers each line on stdin with one request's
    wall and CPU milliseconds."""
    from bench.pages import sign_in
    from mdt import create_app

    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SECRET_KEY": "bench-secret-key",
            "BENCH_FLOOR": True,
            "MAIL_TRANSPORT": "folder",
            "MAIL_FOLDER": os.environ.get("TMPDIR", "/tmp"),
        }
    )
    url = os.environ["AB_URL"]  # the parent's: both sides load the same page
    client = app.test_client()
    sign_in(client)
    for _ in range(20):
        status = client.get(url).status_code
        if status != 200:
            raise SystemExit(f"{page}: {url} answered {status}")
    print("ready", flush=True)
    for _line in sys.stdin:
        wall, cpu = time.perf_counter(), time.process_time()
        client.get(url)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"{wall * 1000:.3f} {cpu * 1000:.3f}", flush=True)


def _start(tree: str, page: str, database_url: str, url: str) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONPATH": tree, "AB_URL": url}
    side = subprocess.Popen(
        [sys.executable, os.path.abspath(__file__), "--serve", page, database_url],
        cwd=tree,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert side.stdout is not None
    if side.stdout.readline().strip() != "ready":
        raise SystemExit(f"{tree}: the page did not load")
    return side


def _one(side: subprocess.Popen[str]) -> float:
    assert side.stdin is not None and side.stdout is not None
    side.stdin.write("go\n")
    side.stdin.flush()
    return float(side.stdout.readline().split()[0])


def main(old: str, new: str, page: str, pairs: int, database_url: str) -> None:
    from bench.pages import PAGES, find_targets
    from mdt import create_app

    # One feed link and one set of ids for both sides (a new link revokes the last).
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "bench-secret-key"})
    url = find_targets(app).url(dict(PAGES)[page])
    trees = {"old": old, "new": new}
    sides = {name: _start(tree, page, database_url, url) for name, tree in trees.items()}
    times: dict[str, list[float]] = {"old": [], "new": []}
    for n in range(pairs):
        for name in ("old", "new") if n % 2 == 0 else ("new", "old"):
            times[name].append(_one(sides[name]))
    for side in sides.values():
        assert side.stdin is not None
        side.stdin.close()
        side.wait()
    for name in ("old", "new"):
        print(f"{name}: median {statistics.median(times[name]):.2f} ms over {pairs} requests")
    ratios = sorted(b / a for a, b in zip(times["old"], times["new"], strict=True))
    quarter = len(ratios) // 4
    print(
        f"new / old, pair by pair: median {statistics.median(ratios):.3f} "
        f"(quartiles {ratios[quarter]:.3f}-{ratios[-quarter - 1]:.3f})"
    )


if __name__ == "__main__":
    if sys.argv[1] == "--serve":
        serve(sys.argv[2], sys.argv[3])
    else:
        args = sys.argv[1:]
        main(
            args[0],
            args[1],
            args[2],
            int(args[3]) if len(args) > 3 else 300,
            args[4] if len(args) > 4 else REGION,
        )
