"""Database base class, naming convention, aware-UTC type and engine set-up."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import DeclarativeBase, Session
from sqlalchemy.sql.visitors import InternalTraversal

# Names every constraint so migrations can drop what they create, on SQLite too.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


#: The largest id a row can have (ids are PostgreSQL integers): a bigger number names no row,
#: and the databases refuse to compare a column with it.
LARGEST_ID = 2**31 - 1


def row_id(raw: str) -> int | None:
    """The row id written in a query string, or None if `raw` cannot be one: anything but
    plain digits (Python's int() also takes "٣" and "1_0"), zero, or past LARGEST_ID."""
    if not (raw.isascii() and raw.isdigit()):
        return None
    number = int(raw)
    return number if 0 < number <= LARGEST_ID else None


def among(column: sa.ColumnElement[Any], values: Iterable[Any]) -> sa.ColumnElement[bool]:
    """`column IN (values)` with the values written into the statement, not a parameter
    each: for the thousands of ids the reminder sweep asks about, psycopg parsing that many
    placeholders took longer than PostgreSQL took to answer."""
    listed = sa.bindparam(None, list(values), expanding=True, literal_execute=True)
    return column.in_(listed)


class _InRows(sa.sql.expression.ColumnElement[bool]):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`. See in_rows."""

    inherit_cache = True
    type = sa.Boolean()
    _is_implicitly_boolean = True  # a condition as it stands (SQLite: no "= 1" after it)
    _traverse_internals = [
        ("column", InternalTraversal.dp_clauseelement),
        ("rows", InternalTraversal.dp_clauseelement),
    ]

    def __init__(self, column: sa.ColumnElement[Any], rows: sa.Select[Any]) -> None:
        self.column = column
        self.rows = rows.scalar_subquery()


@compiles(_InRows)
def _in_rows(element: _InRows, compiler: Any, **kw: Any) -> str:
    return f"{compiler.process(element.column, **kw)} IN {compiler.process(element.rows, **kw)}"


@compiles(_InRows, "postgresql")
def _in_rows_postgresql(element: _InRows, compiler: Any, **kw: Any) -> str:
    column, rows = compiler.process(element.column, **kw), compiler.process(element.rows, **kw)
    return f"{column} = ANY(ARRAY{rows})"


def in_rows(column: sa.ColumnElement[Any], rows: sa.Select[Any]) -> sa.ColumnElement[bool]:
    """`column IN (rows)`, for a few values picked from many rows (the people who own a
    team's actions). PostgreSQL guesses how many distinct values an IN subquery yields from
    the whole table (hundreds where a team has a score), hashes them and reads every row of
    the outer table (6,000 people at region scale); `= ANY(ARRAY(...))` runs the subquery
    first and looks the values up by index."""
    return _InRows(column, rows)


def inline(count: int) -> sa.ColumnElement[int]:
    """A LIMIT or OFFSET written into the statement rather than sent as a parameter.
    PostgreSQL cannot cost a plan whose row count is a parameter, so it plans such a
    statement afresh on every run (0.2-0.4 ms of planning for team actions' page at region
    scale); written in, it keeps one plan from the sixth run on. Each value is a statement of
    its own, so only for the few a page uses (a page size, 1, a page number's offset)."""
    return sa.literal_column(str(int(count)), sa.Integer)


def inline_time(moment: datetime) -> sa.ColumnElement[datetime]:
    """A moment written into the statement, for a bound that moves once a day (the start
    of My actions' fortnight). As a parameter, PostgreSQL planned the statement afresh on
    every run (0.13 ms at region scale, three times what running it took); written in, the
    statement is new once a day and keeps one plan."""
    return sa.bindparam(None, moment, type_=UTCDateTime, literal_execute=True)


class _BinaryList(list):  # type: ignore[type-arg]
    """A list psycopg sends as a binary array (registered in _configure_postgresql)."""


class Array(sa.types.TypeDecorator[list[Any]]):
    """A PostgreSQL array parameter sent in binary: in text, psycopg escapes each element in
    Python (the sweep's 8,600 email texts: 160 ms there and back, binary 7 ms)."""

    impl = ARRAY
    cache_ok = True

    def bind_processor(self, dialect: Any) -> Any:
        items = super().bind_processor(dialect)

        def process(value: list[Any] | None) -> list[Any] | None:
            value = items(value) if items is not None else value
            return None if value is None else _BinaryList(value)

        return process


#: What runs a statement: a session, or its connection (as `Background` hands it on).
Executes = Session | sa.Connection


def dialect_of(executes: Executes) -> str:
    return (executes.get_bind() if isinstance(executes, Session) else executes).dialect.name


class Background:
    """Work on a session's connection done by a second thread, in the order given, while the
    caller goes on with work that does not use the database: PostgreSQL then writes one
    batch while Python composes the next (the reminder sweep's thousands of emails). The
    caller must not use the session until the block ends; the block ends when the last work
    is done, and raises the first error of any (what had not started is not started). Not on
    SQLite, whose connections stay in their thread: each is done at once there.

        with Background(session) as background:
            for batch in batches:
                background.submit(partial(write, batch))  # write(connection)
    """

    def __init__(self, session: Session) -> None:
        self.connection = session.connection()
        threaded = self.connection.dialect.name == "postgresql"
        self._pool = ThreadPoolExecutor(1, "mdt-background") if threaded else None
        self._started: list[Future[None]] = []
        self._failed = False

    def submit(self, work: Callable[[sa.Connection], None]) -> None:
        if self._pool is None:
            work(self.connection)
            return
        if self._failed:
            self._raise()
        self._started.append(self._pool.submit(self._run, work))

    def _run(self, work: Callable[[sa.Connection], None]) -> None:
        if self._failed:  # the transaction is lost: what follows is not started
            return
        try:
            work(self.connection)
        except BaseException:
            self._failed = True
            raise

    def _raise(self) -> None:
        for started in self._started:
            started.result()

    def __enter__(self) -> Background:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self._pool is None:
            return
        self._pool.shutdown(wait=True, cancel_futures=kind is not None)
        if kind is None:
            self._raise()


def insert_many(
    session: Executes,
    table: sa.Table,
    rows: Sequence[Mapping[str, Any]],
    returning: Sequence[sa.ColumnElement[Any]] = (),
) -> list[sa.Row[Any]]:
    """Insert rows (mappings with the same keys) in one statement, in the session's
    transaction; returns the `returning` columns of each, in no particular order.

    On PostgreSQL each column's values go as one array, unnested (INSERT ... SELECT FROM
    unnest(...)): thousands of rows as a parameter each (SQLAlchemy's insertmanyvalues, or
    executemany) cost the reminder sweep most of its writing time in psycopg. Elsewhere,
    executemany. Column defaults not given are computed once for the statement."""
    if not rows:
        return []
    statement: sa.Insert = sa.insert(table)
    params: Sequence[Mapping[str, Any]] | None = rows
    if dialect_of(session) == "postgresql":
        names = list(rows[0])
        arrays = (
            sa.bindparam(f"many_{name}", [row[name] for row in rows], Array(table.c[name].type))
            for name in names
        )
        given = sa.func.unnest(*arrays).table_valued(*names).render_derived(name="given")
        statement = statement.from_select(names, sa.select(*(given.c[n] for n in names)))
        params = None
    if returning:
        statement = statement.returning(*returning)
    result = session.execute(statement, params)
    return list(result) if returning else []


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """Stores aware datetimes as UTC and returns them aware, whatever the backend keeps."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use mdt.core.time.now_utc()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is UTC:
            return value
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def create_engine(url: str, echo: bool = False, statement_timeout_ms: int = 0) -> Engine:
    """`statement_timeout_ms` (PostgreSQL; 0: none): a statement running longer is cancelled
    and raises ("canceling statement due to statement timeout") instead of holding a
    worker and its locks for as long as it takes."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    # hide_parameters: a failed statement must not print what it was saving (emails with
    # one-time links, password hashes) into logs.
    # PostgreSQL sessions in UTC, whatever the server's default: psycopg then returns
    # timestamps with datetime.UTC itself, which UTCDateTime passes through untouched (a
    # year's team report reads over a thousand of them).
    options = "-c TimeZone=UTC"
    if statement_timeout_ms:
        options += f" -c statement_timeout={int(statement_timeout_ms)}"
    extra = {"connect_args": {"options": options}} if "postgresql" in url else {}
    engine = sa.create_engine(url, echo=echo, pool_pre_ping=True, hide_parameters=True, **extra)
    if engine.dialect.name == "sqlite":
        _configure_sqlite(engine)
    elif engine.dialect.name == "postgresql":
        _configure_postgresql(engine)
    return engine


def _configure_postgresql(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        from psycopg.types.array import ListBinaryDumper

        dbapi_connection.adapters.register_dumper(_BinaryList, ListBinaryDumper)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so SAVEPOINTs work (pysqlite's own handling breaks them).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE: take the write lock when the transaction starts, waiting (busy_timeout)
        # for another writer to finish. A deferred BEGIN lets a request read first and then
        # fail at once, whatever the timeout, when it writes after another process did (every
        # page that audits a patient view reads, then writes). SQLite has one writer at a
        # time anyway; transactions here are a request or a job step long.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
