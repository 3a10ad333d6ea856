"""The busy hour's load model and its open-loop schedule (docs/busy_hour.md gives the sources).

A *flow* is what one arrival does: a sign-in is three requests (the form, the post, the
dashboard it lands on), a My prep save three (the page, the post, the page it returns
to), a meeting-mode view or a calendar poll one. Flows arrive on a fixed schedule: the
dispatcher starts each at its time and never waits for an earlier one to answer, so a
slow server meets the same arrivals as a fast one (open loop). Nothing here sends a
request; bench/busy_load.py does, with Locust's HTTP client.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Flow:
    name: str
    per_hour: float  # arrivals in a region's busiest hour
    requests: int  # HTTP requests each arrival makes, one after the other
    basis: str


#: A region (300 organisations, 6,000 people, 600 teams) in its busiest hour; see
#: docs/busy_hour.md for each figure's source or assumption.
MODEL = (
    Flow("sign in", 1500, 3, "a quarter of 6,000 people sign in (form, post, dashboard)"),
    Flow("my prep save", 210, 3, "a quarter of a working day's 830 saves (page, post, page)"),
    Flow("meeting mode", 2250, 1, "25 meetings in progress, 1.5 views a minute each"),
    Flow("feed (full)", 662, 1, "3,000 subscribers: 70 % every 3 h, 20 % hourly, 10 % 12 h"),
    Flow("feed (304)", 663, 1, "the same polls, half of them conditional"),
)


def requests_per_second(model: tuple[Flow, ...] = MODEL) -> float:
    return sum(f.per_hour * f.requests for f in model) / 3600


def schedule(
    multiple: float, seconds: float, model: tuple[Flow, ...] = MODEL, seed: int = 27
) -> list[tuple[float, str]]:
    """Arrivals (offset in seconds, flow name) for `multiple` times the model's rates over
    `seconds`: each flow gets its share of the total by largest remainder, the flows are
    shuffled together (seeded) and the arrivals evenly spaced."""
    rates = [f.per_hour * multiple / 3600 for f in model]
    total = round(sum(rates) * seconds)
    exact = [r * seconds for r in rates]
    counts = [int(x) for x in exact]
    by_remainder = sorted(range(len(model)), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    names = [f.name for f, n in zip(model, counts, strict=True) for _ in range(n)]
    random.Random(seed).shuffle(names)
    gap = seconds / total if total else 0.0
    return [(n * gap, name) for n, name in enumerate(names)]


def dispatch(
    arrivals: list[tuple[float, str]],
    start: Callable[[str], object],
    now: Callable[[], float],
    sleep: Callable[[float], None],
) -> float:
    """Start each flow at its time with `start` (which must return at once, having spawned
    the flow); returns the worst lateness in seconds (the load tool falling behind)."""
    began = now()
    late = 0.0
    for offset, name in arrivals:
        wait = began + offset - now()
        if wait > 0:
            sleep(wait)
        late = max(late, -wait)
        start(name)
    return late
