"""CSV downloads: one writer for every export (team actions, reports, the audit log)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date

from flask import Response


def safe_cell(value: str) -> str:
    """Spreadsheets run a cell that starts with = + - @ as a formula: make it plain text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def csv_response(
    columns: Iterable[str], rows: Iterable[Sequence[str]], name: str, day: date
) -> Response:
    """An attachment `<name>-<day>.csv`: every cell made safe, never kept by a cache."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return Response(
        out.getvalue(),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="{name}-{day:%Y-%m-%d}.csv"',
            "Cache-Control": "no-store",
        },
    )
