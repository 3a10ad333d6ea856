"""On SQLite, a request that reads and then writes (every page that audits a patient view)
must wait its turn rather than fail when another process wrote in between. A deferred
BEGIN let the read start a snapshot that the later write could not upgrade ("database is
locked" at once, whatever busy_timeout says): two gunicorn workers showed it as 500s."""

from __future__ import annotations

import threading
import time

import sqlalchemy as sa

from mdt.core.db import create_engine


def test_a_read_then_write_transaction_waits_for_another_writer_instead_of_failing(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'w.db'}")
    with engine.begin() as setup:
        setup.exec_driver_sql("CREATE TABLE seen (who TEXT)")
    errors: list[BaseException] = []

    def other_worker() -> None:
        try:
            with engine.begin() as other:
                other.exec_driver_sql("INSERT INTO seen VALUES ('other')")
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    with engine.connect() as mine:
        with mine.begin():
            mine.execute(sa.text("SELECT count(*) FROM seen")).scalar()  # the page's reads
            worker = threading.Thread(target=other_worker)
            worker.start()
            time.sleep(0.3)  # the other worker tries to write meanwhile
            mine.exec_driver_sql("INSERT INTO seen VALUES ('mine')")  # the audit row
        worker.join(timeout=10)
    assert errors == []
    with engine.connect() as check:
        rows = sorted(r[0] for r in check.exec_driver_sql("SELECT who FROM seen"))
    assert rows == ["mine", "other"]
    engine.dispose()
