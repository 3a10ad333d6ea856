"""The tables `mdt bench` prints, and the figures it saves, from what a run measured."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from bench.pages import PAGES
from bench.wrk import Load


def floor_ms(results: dict[str, Any]) -> float | None:
    """The floor every page of a run (or a round) on one server is divided by: the median
    p50 of the floors measured there, one before each page. A single 3-second floor moved
    between 2.1 and 3.8 ms within a run while the pages beside it did not, so a page
    divided by its own floor moved with the floor's noise."""
    floors = [
        found.p50_ms
        for name, found in results.items()
        if (name == "floor" or name.startswith("floor before ")) and isinstance(found, Load)
    ]
    return statistics.median(floors) if floors else None


def comparison_table(rounds: list[list[dict[str, Load | str]]], labels: tuple[str, str]) -> str:
    """Each page's p95 on both, their ratio (each round's, then the median), and each p50
    over its round's floor on the same server (the median over the rounds)."""
    each = len(rounds) > 1
    lines = [
        f"| page | p95 {labels[0]} | p95 {labels[1]} | ratio |"
        + (" ratio each round |" if each else "")
        + f" p50/floor {labels[0]} | p50/floor {labels[1]} |",
        "|---|---:|---:|---:|" + ("---|" if each else "") + "---:|---:|",
    ]
    for name, _path in PAGES:
        pairs = [(a.get(name), b.get(name)) for a, b in rounds]
        if not all(isinstance(x, Load) and isinstance(y, Load) for x, y in pairs):
            # Not loaded on one side (a 404, say): the first round's p95 or what happened.
            x, y = (_p95_or_why(found) for found in pairs[0])
            lines.append(f"| {name} | {x} | {y} | |" + (" |" if each else "") + " | |")
            continue
        loads: list[tuple[Load, Load]] = pairs  # type: ignore[assignment]
        ratios = [y.p95_ms / x.p95_ms for x, y in loads]
        p95s = [statistics.median(pair[side].p95_ms for pair in loads) for side in (0, 1)]
        over = [
            _median_over_floor(
                [(r[side], pair[side]) for r, pair in zip(rounds, loads, strict=True)]
            )
            for side in (0, 1)
        ]
        lines.append(
            f"| {name} | {p95s[0]:.1f} | {p95s[1]:.1f} | {statistics.median(ratios):.2f} |"
            + (f" {', '.join(f'{r:.2f}' for r in ratios)} |" if each else "")
            + f" {over[0]} | {over[1]} |"
        )
    return "\n".join(lines)


def _p95_or_why(found: Load | str | None) -> str:
    return f"{found.p95_ms:.1f}" if isinstance(found, Load) else (found or "")


def _median_over_floor(measured: list[tuple[dict[str, Any], Load]]) -> str:
    ratios = [
        load.p50_ms / floor
        for results, load in measured
        if (floor := floor_ms(results)) is not None
    ]
    return f"{statistics.median(ratios):.1f}" if ratios else ""


def table(result: dict, label: str) -> str:  # type: ignore[type-arg]
    loads, queries = result["loads"], result["queries"]
    lines = [
        f"| {label} | p50 ms | p95 ms | req/s | queries | floor p50 ms | p50 / floor |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, _path in PAGES:
        load = loads.get(name)
        if not isinstance(load, Load):
            lines.append(f"| {name} | {load or 'not measured'} | | | | | |")
            continue
        count = queries.get(name)
        floor = floor_ms(loads)
        ratio = f"{load.p50_ms / floor:.1f}" if floor else ""
        errors = f" ({load.errors} errors)" if load.errors else ""
        lines.append(
            f"| {name} | {load.p50_ms:.1f} | {load.p95_ms:.1f} | {load.rps:.0f}{errors} | "
            f"{'' if count is None else count} | {floor or 0:.1f} | {ratio} |"
        )
    floor = floor_ms(loads)
    if result["radicale"] is not None and floor is not None:
        r: Load = result["radicale"]
        lines.append(
            f"| Radicale, same events | {r.p50_ms:.1f} | {r.p95_ms:.1f} | {r.rps:.0f} | | "
            f"{floor:.1f} | {r.p50_ms / floor:.1f} |"
        )
    members, slot_ms = result["find_slot"]
    catch_up, steady = result["sweep_ms"]
    lines += [
        "",
        f"Feed: {result['feed_events']} events, {result['feed_bytes']:,} bytes.",
        f"Scheduler sweep at 07:31 on the next working day: {catch_up:.0f} ms catching up on "
        f"a week with no scheduler; then each minute's sweep: "
        f"{', '.join(f'{t:.0f}' for t in steady)} ms.",
        f"Find a slot ({members} members, monthly, weekdays 12:00-14:30): median "
        f"{statistics.median(slot_ms):.0f} ms, worst {max(slot_ms):.0f} ms.",
        f"Host speed: a fixed Python loop (a million f-strings) took a median of "
        f"{statistics.median(result['host_ms']):.0f} ms (of {len(result['host_ms'])}).",
        "Each page's p50 is divided by the median p50 of the floors measured before each page.",
    ]
    return "\n".join(lines)


def save(result: dict, path: str) -> None:  # type: ignore[type-arg]
    def plain(value: object) -> object:
        return value.__dict__ if isinstance(value, Load) else str(value)

    Path(path).write_text(json.dumps(result, default=plain, indent=1))
