"""PostgreSQL settings at region size, measured on scratch tables (issue #27, item 5).

    .venv/bin/python bench/pg_settings.py DATABASE_URL [AUDIT_ROWS]

On a copy of a seeded database (it creates and drops tables named scratch_*): the cost of a
new connection against a pooled one; the outbox after a day's digests were queued and sent
(its "what is due" statement with the dead rows left, and after a vacuum); and the audit
table at AUDIT_ROWS rows over 36 months (default 3,000,000), flat as the app has it, with an
index on its time, and partitioned by month: the audit page's statements and retention's
removal of the oldest month. Times are the median of 5 runs, in ms.
"""

from __future__ import annotations

import statistics
import sys
import time as clock
from collections.abc import Callable

import psycopg

MONTHS = 36
DIGESTS = 8_616  # the 07:30 digests at region scale (docs/benchmarks.md)


def timed(run: Callable[[], object], runs: int = 5) -> float:
    times = []
    for _ in range(runs):
        started = clock.perf_counter()
        run()
        times.append((clock.perf_counter() - started) * 1000)
    return statistics.median(times)


def connections(url: str) -> None:
    with psycopg.connect(url) as held:
        pooled = timed(lambda: held.execute("SELECT 1").fetchall(), 200)

    def fresh() -> None:
        with psycopg.connect(url, options="-c TimeZone=UTC") as conn:
            conn.execute("SELECT 1").fetchall()

    print(f"a statement on a held connection: {pooled:.2f} ms")
    print(f"a new connection, then the statement: {timed(fresh, 50):.2f} ms")


def _measure(conn: psycopg.Connection, sql: str) -> str:
    plan = conn.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql).fetchone()[0][0]  # type: ignore[index]
    top = plan["Plan"]
    buffers = top.get("Shared Hit Blocks", 0) + top.get("Shared Read Blocks", 0)
    ms = timed(lambda: conn.execute(sql).fetchall())
    return f"{ms:.2f} ms, {buffers} buffers, {top['Node Type']}"


def _dead(url: str, conn: psycopg.Connection) -> str:
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.execute("SELECT 1")
    with psycopg.connect(url) as other:
        dead, size = other.execute(
            "SELECT n_dead_tup, pg_total_relation_size(relid) FROM pg_stat_user_tables "
            "WHERE relname = 'scratch_outbox'"
        ).fetchone()  # type: ignore[misc]
    return f"{dead} dead rows, {size / 1e6:.1f} MB"


def outbox(url: str, conn: psycopg.Connection) -> None:
    conn.execute("DROP TABLE IF EXISTS scratch_outbox")
    conn.execute(
        "CREATE TABLE scratch_outbox (LIKE outbox_message INCLUDING DEFAULTS INCLUDING INDEXES)"
    )
    conn.execute(
        "INSERT INTO scratch_outbox (id, recipients, subject, body, status, attempts, created_at,"
        " next_attempt_at) SELECT n, 'p' || n || '@x.org', 'Your reminders', repeat('x', 1500),"
        " 'queued', 0, now(), now() FROM generate_series(1, %s) n",
        (DIGESTS,),
    )
    conn.execute("VACUUM ANALYZE scratch_outbox")
    due = "SELECT id FROM scratch_outbox WHERE status = 'queued' AND next_attempt_at <= now()"
    print(f"outbox, {DIGESTS} queued: {_measure(conn, due)}")
    for first in range(1, DIGESTS + 1, 500):  # delivered in batches, each row updated
        conn.execute(
            "UPDATE scratch_outbox SET status = 'sent', sent_at = now(), attempts = 1 "
            "WHERE id BETWEEN %s AND %s",
            (first, first + 499),
        )
    print(f"  all sent, not vacuumed: {_dead(url, conn)}; {_measure(conn, due)}")
    conn.execute("VACUUM scratch_outbox")
    print(f"  vacuumed: {_dead(url, conn)}; {_measure(conn, due)}")
    conn.execute("ANALYZE scratch_outbox")
    print(f"  and analysed: {_measure(conn, due)}")
    conn.execute("DROP TABLE scratch_outbox")


AUDIT_QUERIES = {
    "newest 50 (no filter)": "SELECT * FROM {t} ORDER BY at DESC, id DESC LIMIT 50",
    "one patient's newest 50": "SELECT * FROM {t} WHERE patient_id = 4242 "
    "ORDER BY at DESC, id DESC LIMIT 50",
    "one user, one month": "SELECT * FROM {t} WHERE user_id = 77 AND at >= now() - "
    "interval '60 days' AND at < now() - interval '30 days' ORDER BY at DESC, id DESC LIMIT 50",
    "count, one month": "SELECT count(id) FROM {t} WHERE at >= now() - interval '60 days' "
    "AND at < now() - interval '30 days'",
}


def audit(conn: psycopg.Connection, rows: int) -> None:
    for name in ("scratch_audit", "scratch_audit_part"):
        conn.execute(f"DROP TABLE IF EXISTS {name}")
    started = clock.perf_counter()
    conn.execute(
        "CREATE TABLE scratch_audit AS SELECT n AS id, now() - make_interval(secs => "
        "(%s - n) * %s) AS at, (1 + (n::bigint * 7919) %% 6000)::int AS user_id, "
        "(1 + (n::bigint * 104729) %% 108000)::int AS patient_id, 'view'::varchar(10) AS action, "
        "'meeting mode of meeting 1234'::varchar(200) AS what, md5(n::text) || md5(n::text) "
        "AS previous_hash, md5((n + 1)::text) || md5(n::text) AS hash, NULL::int AS client_id "
        "FROM generate_series(1, %s) n",
        (rows, MONTHS * 30 * 86400 / rows, rows),
    )
    conn.execute("ALTER TABLE scratch_audit ADD PRIMARY KEY (id)")
    conn.execute("CREATE INDEX ON scratch_audit (patient_id, at)")
    conn.execute("CREATE INDEX ON scratch_audit (user_id)")
    conn.execute("VACUUM ANALYZE scratch_audit")
    print(
        f"audit, {rows:,} rows flat: made in {clock.perf_counter() - started:.0f} s, "
        f"{_size(conn, 'scratch_audit')}"
    )
    conn.execute("CREATE TABLE scratch_audit_part (LIKE scratch_audit) PARTITION BY RANGE (at)")
    for month in range(MONTHS + 2):
        conn.execute(
            f"CREATE TABLE scratch_audit_p{month} PARTITION OF scratch_audit_part FOR VALUES "
            f"FROM (date_trunc('month', now()) - interval '{MONTHS + 1 - month} months') "
            f"TO (date_trunc('month', now()) - interval '{MONTHS - month} months')"
        )
    conn.execute("INSERT INTO scratch_audit_part SELECT * FROM scratch_audit")
    conn.execute("ALTER TABLE scratch_audit_part ADD PRIMARY KEY (id, at)")
    conn.execute("CREATE INDEX ON scratch_audit_part (patient_id, at)")
    conn.execute("CREATE INDEX ON scratch_audit_part (user_id)")
    conn.execute("VACUUM ANALYZE scratch_audit_part")
    for label, table in (("flat", "scratch_audit"), ("by month", "scratch_audit_part")):
        for name, sql in AUDIT_QUERIES.items():
            print(f"  {label}: {name}: {_measure(conn, sql.format(t=table))}")
    conn.execute("CREATE INDEX scratch_audit_at ON scratch_audit (at)")
    conn.execute("ANALYZE scratch_audit")
    for name in ("newest 50 (no filter)", "count, one month"):
        sql = AUDIT_QUERIES[name].format(t="scratch_audit")
        print(f"  flat + index on at: {name}: {_measure(conn, sql)}")
    oldest = rows // MONTHS  # retention: the oldest month's rows, by id as the app does
    started = clock.perf_counter()
    for first in range(1, oldest + 1, 10_000):
        conn.execute("DELETE FROM scratch_audit WHERE id < %s", (min(first + 10_000, oldest),))
    flat_ms = (clock.perf_counter() - started) * 1000
    started = clock.perf_counter()
    conn.execute("DROP TABLE scratch_audit_p1")  # the oldest month with rows in it
    print(
        f"  retention, the oldest month ({oldest:,} rows): flat DELETE in batches "
        f"{flat_ms:.0f} ms; by month DROP of the partition "
        f"{(clock.perf_counter() - started) * 1000:.0f} ms"
    )
    conn.execute("DROP TABLE scratch_audit")
    conn.execute("DROP TABLE scratch_audit_part")


def _size(conn: psycopg.Connection, table: str) -> str:
    size = conn.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()[0]  # type: ignore[index]
    return f"{size / 1e6:.0f} MB with indexes"


def main(url: str, rows: int) -> None:
    connections(url)
    with psycopg.connect(url, autocommit=True) as conn:
        outbox(url, conn)
        audit(conn, rows)


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3_000_000)
