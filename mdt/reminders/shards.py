"""The sweep's shards: a minute's work split by team, so several schedulers share it.

A team's reminders (and its digests) are all in one shard, the team's id modulo SHARDS;
what belongs to no team (a directory entry) is in shard 0. Each shard has its own sweep
mark. A scheduler claims a shard whose mark is behind its clock by locking that mark's row
(``FOR UPDATE SKIP LOCKED``: a shard another scheduler holds is passed over, not waited
for), sweeps it and commits, then claims the next: two schedulers sweep different shards at
once, and one killed mid-shard leaves its lock to the database, which drops it with the
connection (the shard's work rolls back and is claimed again). SQLite has no row locks and
runs one scheduler (scheduler/locks.py), which sweeps the shards one after another.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from mdt.reminders.models import SHARDS, ReminderSweepMark

#: A new shard's mark: long ago, so its first sweep looks back the whole catch-up.
NEVER = datetime(2000, 1, 1, tzinfo=UTC)


def shard_of(team_id: int | None) -> int:
    return 0 if team_id is None else team_id % SHARDS


def of_shard(shard: int | None, team: sa.ColumnElement[int]) -> sa.ColumnElement[bool]:
    """`team` (a team id column, never null) is in the shard; None is every shard."""
    return sa.true() if shard is None else (team % SHARDS) == shard


def of_shard_or_none(
    shard: int | None, team: sa.ColumnElement[int | None]
) -> sa.ColumnElement[bool]:
    """As of_shard, for a column where null (no team) belongs to shard 0."""
    in_shard = of_shard(shard, team)
    return sa.or_(in_shard, team.is_(None)) if shard == shard_of(None) else in_shard


def ensure_marks(session: Session) -> None:
    """A mark for each shard (a database made from the models, not the migrations, has
    none); one made at once by another scheduler is left as it is."""
    have = set(session.scalars(sa.select(ReminderSweepMark.id)))
    missing = [{"id": s, "swept_until": NEVER} for s in range(SHARDS) if s not in have]
    if missing:
        dialect = session.get_bind().dialect.name
        insert = _insert(dialect)(ReminderSweepMark).on_conflict_do_nothing()
        session.execute(insert, missing)


def _insert(dialect: str):  # type: ignore[no-untyped-def]
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    return insert


def claim(session: Session, now: datetime) -> ReminderSweepMark | None:
    """The mark of a shard not yet swept up to `now` that no other scheduler holds, locked
    for this transaction (the one furthest behind first), or None when none is left."""
    return session.scalar(
        sa.select(ReminderSweepMark)
        .where(ReminderSweepMark.swept_until < now)
        .order_by(ReminderSweepMark.swept_until, ReminderSweepMark.id)
        .limit(1)
        .with_for_update(skip_locked=True)
    )
