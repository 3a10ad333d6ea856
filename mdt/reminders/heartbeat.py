"""The scheduler's heartbeat: each scheduler process keeps a row's last_seen fresh, and
/healthz reads the newest of them."""

from __future__ import annotations

import os
import socket
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from mdt.core.database import db
from mdt.core.time import now_utc
from mdt.core.web import add_health_check
from mdt.reminders.models import SchedulerHeartbeat

#: Rows of processes silent for this long are removed (each restart adds a row).
FORGET_AFTER = timedelta(days=1)


def process_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def beat(session: Session, now: datetime, started_at: datetime) -> None:
    """Upsert this process's row. As the first write of the sweep's transaction it also
    takes SQLite's write lock up front, so the sweep never has to upgrade a read lock."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(SchedulerHeartbeat).values(
        name=process_name(), pid=os.getpid(), started_at=started_at, last_seen=now
    )
    session.execute(
        statement.on_conflict_do_update(
            index_elements=[SchedulerHeartbeat.name],
            set_={"last_seen": statement.excluded.last_seen},
        )
    )
    session.execute(
        sa.delete(SchedulerHeartbeat).where(SchedulerHeartbeat.last_seen < now - FORGET_AFTER)
    )


def health(session: Session, now: datetime, stale_after: timedelta) -> str:
    """The scheduler's state: "ok", "stale" (none has swept for `stale_after`) or "never"."""
    last_seen = session.scalar(sa.select(sa.func.max(SchedulerHeartbeat.last_seen)))
    if last_seen is None:
        return "never"
    return "stale" if now - last_seen > stale_after else "ok"


def scheduler_health() -> str:
    """How recently a scheduler process swept, for /healthz: "ok", "stale" or "never"."""
    stale_after = timedelta(minutes=current_app.config["SCHEDULER_STALE_MINUTES"])
    return health(db.session, now_utc(), stale_after)


def init_app(app: Flask) -> None:
    add_health_check(app, "scheduler", scheduler_health)
