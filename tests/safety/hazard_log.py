"""The hazard log: read it, check it against the DCB0129 matrix and the test suite, and
render it as Markdown.

    python -m tests.safety.hazard_log    # rewrites docs/safety/hazard-log.md
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "docs" / "safety" / "hazard-log.toml"
RENDERED = ROOT / "docs" / "safety" / "hazard-log.md"

LIKELIHOODS = ("very high", "high", "medium", "low", "very low")
SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
#: The DCB0129 risk matrix: MATRIX[likelihood][severity] is the risk rating, 1 to 5.
MATRIX = {
    "very high": (3, 4, 4, 5, 5),
    "high": (2, 3, 3, 4, 5),
    "medium": (2, 2, 3, 3, 4),
    "low": (1, 2, 2, 3, 4),
    "very low": (1, 1, 2, 2, 3),
}
ACCEPTABILITY = {
    1: "Acceptable",
    2: "Acceptable where further reduction is impractical",
    3: "Undesirable: accepted only where further reduction is impractical",
    4: "Unacceptable",
    5: "Unacceptable",
}


def load(path: Path = SOURCE) -> list[dict[str, Any]]:
    with path.open("rb") as fh:
        return list(tomllib.load(fh)["hazard"])


def rating(likelihood: str, severity: str) -> int:
    return MATRIX[likelihood][SEVERITIES.index(severity)]


def wrong_ratings(hazards: list[dict[str, Any]]) -> list[str]:
    """Each risk stated that the matrix does not give, as "H01 initial: 2, matrix 3"."""
    found = []
    for h in hazards:
        for stage in ("initial", "residual"):
            r = h[stage]
            expected = rating(r["likelihood"], r["severity"])
            if r["risk"] != expected:
                found.append(f"{h['id']} {stage}: {r['risk']}, matrix {expected}")
    return found


def named_tests(hazards: list[dict[str, Any]]) -> list[str]:
    return [t for h in hazards for c in h["controls"] for t in c["tests"]]


def collected_ids(root: Path = ROOT) -> set[str]:
    """Every test's node id (without parameters) in tests/, read from the source with ast:
    module-level test functions and test methods of Test classes."""
    ids: set[str] = set()
    for path in sorted((root / "tests").rglob("test_*.py")):
        module = ast.parse(path.read_text(), filename=str(path))
        relative = path.relative_to(root).as_posix()
        for node in module.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
                "test"
            ):
                ids.add(f"{relative}::{node.name}")
            elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
                for item in node.body:
                    if isinstance(item, ast.FunctionDef) and item.name.startswith("test"):
                        ids.add(f"{relative}::{node.name}::{item.name}")
    return ids


def missing_tests(names: list[str], ids: set[str]) -> list[str]:
    return [n for n in names if n.split("[", 1)[0] not in ids]


def _risk(r: dict[str, Any]) -> str:
    return f"{r['risk']} ({r['likelihood']} likelihood × {r['severity']} severity)"


def render(hazards: list[dict[str, Any]]) -> str:
    lines = [
        "# Clinical hazard log (DCB0129)",
        "",
        "Rendered from `docs/safety/hazard-log.toml` by `python -m tests.safety.hazard_log`; "
        "edit the TOML, not this file. `tests/safety/test_hazard_log.py` fails when a test "
        "named here does not exist, or a risk does not follow the matrix below.",
        "",
        "## Risk matrix",
        "",
        "| Likelihood | " + " | ".join(s.capitalize() for s in SEVERITIES) + " |",
        "|---|" + "---|" * len(SEVERITIES),
    ]
    lines += [
        f"| {lk.capitalize()} | " + " | ".join(map(str, MATRIX[lk])) + " |" for lk in LIKELIHOODS
    ]
    lines += [
        "",
        *(f"- **{n}**: {text}" for n, text in ACCEPTABILITY.items()),
        "",
        "## Summary",
        "",
    ]
    lines += ["| Id | Hazard | Initial risk | Residual risk |", "|---|---|---|---|"]
    lines += [
        f"| {h['id']} | {h['title']} | {h['initial']['risk']} | {h['residual']['risk']} |"
        for h in hazards
    ]
    for h in hazards:
        lines += ["", f"## {h['id']}: {h['title']}", "", "**Causes**", ""]
        lines += [f"- {c}" for c in h["causes"]]
        lines += [
            "",
            f"**Effects**: {h['effects']}",
            "",
            f"**Initial risk**: {_risk(h['initial'])}",
        ]
        lines += ["", "**Controls in the product, and the tests that verify them**", ""]
        for c in h["controls"]:
            lines.append(f"- {c['text']}")
            lines += [f"  - `{t}`" for t in c["tests"]]
        lines += ["", f"**Residual risk**: {_risk(h['residual'])}"]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    RENDERED.write_text(render(load()))
    print(f"wrote {RENDERED.relative_to(ROOT)}")
