"""Loading a nation's rows with the foreign keys, unique constraints and indexes set aside:
PostgreSQL checks a foreign key row by row (a lookup in the parent for every row copied) and
adds each row to every index as it comes, where after the load it checks a key with one join
and builds an index with one sort. The same definitions are put back, by name, in the same
transaction, so the schema ends as the migrations made it (and a row that breaks a key still
fails the seed, when the key is put back)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection

#: Foreign keys anywhere in the schema (one may name a unique constraint set aside), and the
#: loaded tables' unique constraints: (table, name, definition).
CONSTRAINTS = """
SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
WHERE n.nspname = current_schema()
  AND (c.contype = 'f' OR (c.contype = 'u' AND c.conrelid::regclass::text = ANY(%(tables)s)))
ORDER BY c.contype, c.conname
"""
#: The loaded tables' indexes other than their primary keys and constraints': (name, definition).
INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid::regclass::text = ANY(%(tables)s) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""


@contextmanager
def set_aside(connection: Connection, tables: list[str]) -> Iterator[None]:
    """Drops the keys and indexes for the block (PostgreSQL only), then adds them back:
    unique constraints and indexes first, then the foreign keys that may lean on them."""
    cursor = connection.connection.cursor()  # type: ignore[union-attr]
    constraints = cursor.execute(CONSTRAINTS, {"tables": tables}).fetchall()
    indexes = cursor.execute(INDEXES, {"tables": tables}).fetchall()
    for table, name, _definition in constraints:  # foreign keys ('f') before unique ('u')
        cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")
    yield
    cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
    for _name, definition in indexes:
        cursor.execute(definition)
    for table, name, definition in reversed(constraints):
        cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
    cursor.close()
