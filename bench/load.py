"""Bulk loading: COPY on PostgreSQL, executemany elsewhere, with the models' defaults."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from mdt.core.db import Base

CHUNK = 20_000


def _defaults(table: sa.Table, given: set[str]) -> dict[str, Any]:
    """Values for the columns a row leaves out: the model's default (a callable is called
    once, so every row of a table shares one created_at)."""
    values: dict[str, Any] = {}
    for column in table.columns:
        if column.name in given or column.default is None:
            continue
        default = column.default
        if default.is_callable:
            values[column.name] = default.arg(None)  # type: ignore[union-attr,operator]
        elif default.is_scalar:
            values[column.name] = default.arg  # type: ignore[union-attr]
    return values


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


class Loader:
    """Inserts rows (dicts with the same keys per table) in foreign-key order."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        self.counts: dict[str, int] = {}

    def insert(self, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
        """Adds to what the table had (its count runs on across calls)."""
        table: sa.Table = model.__table__  # type: ignore[assignment]
        self.counts[table.name] = self.counts.get(table.name, 0) + len(rows)
        if not rows:
            return
        extra = _defaults(table, set(rows[0]))
        columns = list(rows[0]) + list(extra)
        if self.postgres:
            self._copy(table, columns, rows, extra)
        else:
            for first in range(0, len(rows), CHUNK):
                chunk = [row | extra for row in rows[first : first + CHUNK]]
                self.connection.execute(table.insert(), chunk)

    def _copy(
        self, table: sa.Table, columns: list[str], rows: Sequence[dict[str, Any]], extra: dict
    ) -> None:
        tail = [_plain(v) for v in extra.values()]
        names = ", ".join(f'"{c}"' for c in columns)
        cursor = self.connection.connection.cursor()  # type: ignore[union-attr]
        with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row([_plain(v) for v in row.values()] + tail)
        if "id" in table.columns and isinstance(table.c.id.type, sa.Integer):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table.name}\"', 'id'), "
                f'(SELECT max(id) FROM "{table.name}"))'
            )
        cursor.close()
