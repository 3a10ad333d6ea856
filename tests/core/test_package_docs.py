"""Each package says what it owns and what it imports, and the saying stays true."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
FEATURES = sorted(
    path.parent.name
    for path in (ROOT / "mdt").glob("*/__init__.py")
    if path.parent.name not in {"static"}
)


def imported_packages() -> dict[str, set[str]]:
    graph = grimp.build_graph(
        "mdt", include_external_packages=False, exclude_type_checking_imports=True
    )
    found: dict[str, set[str]] = {}
    for module in graph.modules:
        parts = module.split(".")
        if len(parts) < 2:
            continue
        for target in graph.find_modules_directly_imported_by(module):
            other = target.split(".")
            if len(other) >= 2 and other[1] != parts[1] and other[1] in FEATURES:
                found.setdefault(parts[1], set()).add(other[1])
    return found


def declared_imports(package: str) -> set[str] | None:
    tree = ast.parse((ROOT / "mdt" / package / "__init__.py").read_text())
    doc = ast.get_docstring(tree) or ""
    match = re.search(r"^Imports: (.*?)\(", " ".join(doc.split("\n")).replace("  ", " "), re.M)
    match = re.search(r"Imports: ([^(]*)\(", " ".join(doc.split()))
    if match is None:
        return None
    words = match.group(1).strip()
    return set() if words.startswith("no other") else {w.strip() for w in words.split(",")}


def test_every_package_has_its_docstring() -> None:
    assert len(FEATURES) > 25
    missing = [pkg for pkg in FEATURES if declared_imports(pkg) is None]
    assert missing == []


@pytest.mark.parametrize("package", FEATURES)
def test_a_package_imports_what_its_docstring_says(package: str) -> None:
    assert declared_imports(package) == imported_packages().get(package, set())
