"""The busy hour's table, and from its CPU cost per request the nodes a nation needs."""

from __future__ import annotations

import statistics
from typing import Any

from bench.busy_hour import MODEL

#: National peak ÷ region peak: the app's national scale is ten regions; England has about
#: 6,300 GP practices against the region's 200 seeded practices (31.5).
NATIONAL = {"ten regions (national scale)": 10, "England's practices (6,300 ÷ 200)": 31.5}
#: A node is loaded to at most this share of its cores at the national peak.
UTILISATION = 0.6


def model_table() -> str:
    lines = ["| flow | per hour | requests each | req/s | basis |", "|---|---:|---:|---:|---|"]
    for f in MODEL:
        rps = f.per_hour * f.requests / 3600
        lines.append(f"| {f.name} | {f.per_hour:,.0f} | {f.requests} | {rps:.2f} | {f.basis} |")
    return "\n".join(lines)


def table(result: dict[str, Any], cores: int) -> str:
    loop = statistics.median(result["loop_ms"])
    lines = [
        f"Model: {result['model_rps']:.2f} requests/s at 1×. Loop {loop:.0f} ms.",
        "",
        "| × model | offered req/s | achieved req/s | p50 ms | p95 ms | p99 ms | errors "
        "| p95 without sign-in post | app CPU ms/req | DB CPU ms/req | load tool CPU ms/req "
        "| worst lateness s |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for s in result["steps"]:
        lines.append(
            f"| {s.multiple:g} | {s.offered:.1f} | {s.achieved:.1f} | {s.p50:.0f} | {s.p95:.0f} "
            f"| {s.p99:.0f} | {s.errors} | {s.pages_p95:.0f} | {s.app_cpu * 1000:.1f} "
            f"| {s.db_cpu * 1000:.1f} | {s.tool_cpu * 1000:.1f} | {s.late_s:.2f} |"
        )
    served = [s for s in result["steps"] if s.served]
    pages = [s for s in result["steps"] if s.errors == 0 and s.pages_p95 < 200]
    for what, steps in (("all requests", served), ("all but the sign-in post", pages)):
        if not steps:
            lines += ["", f"{what}: no step with p95 < 200 ms and no errors."]
            continue
        best = max(steps, key=lambda s: s.offered)
        lines += ["", f"{what}: p95 < 200 ms and no errors up to {best.multiple:g}× the model"]
        lines[-1] += f" ({best.achieved:.1f} req/s)."
    steps = [s for s in result["steps"] if s.errors == 0]
    if steps:  # CPU per request: the busiest step without errors (the fixed costs spread)
        best = max(steps, key=lambda s: s.offered)
        lines += nodes(result["model_rps"], best.app_cpu, best.db_cpu, cores)
    return "\n".join(lines)


def nodes(model_rps: float, app_cpu: float, db_cpu: float, cores: int) -> list[str]:
    """Nodes = national peak req/s × app CPU s/req ÷ (cores × UTILISATION), rounded up."""
    out = []
    for name, multiple in NATIONAL.items():
        peak = model_rps * multiple
        app = peak * app_cpu / (cores * UTILISATION)
        out.append(
            f"- {name}: peak {peak:.0f} req/s, app {peak * app_cpu:.2f} cores → "
            f"{max(1, -(-app // 1)):.0f} node(s) of {cores} cores at {UTILISATION:.0%}; "
            f"database {peak * db_cpu:.2f} cores"
        )
    return out
