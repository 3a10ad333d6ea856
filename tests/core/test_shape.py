"""The code keeps the shape a newcomer can read: small files, views that fit on a screen,
one way to refuse a stale edit."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "mdt"
MAX_FILE_LINES = 400
MAX_VIEW_LINES = 25
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}


def python_files() -> list[Path]:
    return sorted(APP.rglob("*.py"))


def is_route(decorator: ast.expr) -> bool:
    call = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS


def view_lengths(path: Path) -> dict[str, int]:
    """Each view function's length, from its `def` to its last line (decorators aside)."""
    tree = ast.parse(path.read_text())
    return {
        node.name: node.end_lineno - node.lineno + 1  # type: ignore[operator]
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(map(is_route, node.decorator_list))
    }


def test_no_file_is_over_400_lines() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in python_files()
        if (count := len(path.read_text().splitlines())) > MAX_FILE_LINES
    }
    assert long == {}


def test_no_view_is_over_25_lines() -> None:
    long = {
        f"{path.relative_to(ROOT)}:{name}": length
        for path in python_files()
        for name, length in view_lengths(path).items()
        if length > MAX_VIEW_LINES
    }
    assert long == {}


def test_the_check_finds_views() -> None:
    # Not vacuous: the app's views are found and measured.
    found = sum(len(view_lengths(path)) for path in python_files())
    assert found > 100


def test_stale_edits_are_refused_in_one_place() -> None:
    by_hand = re.compile(r"revision\s*\+=\s*1|revision\s*!=|!=\s*\w+\.revision\b")
    found = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in python_files()
        if path.name != "revisions.py"
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if by_hand.search(line)
    ]
    assert found == []
