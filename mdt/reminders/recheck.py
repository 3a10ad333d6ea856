"""Subjects whose reminders a change may have made due in the past: noted with the change.

Each minute's sweep derives only what fell due since the last sweep. A meeting booked this
morning for tomorrow had its reminder due at 07:30, before it existed; an action raised due
in two days had its "due soon" due yesterday. So every flush that writes what a reminder is
derived from notes the subjects it touched (in the same transaction), and the next sweep
derives their reminders over the whole look-back, as it did for everything before. What
is noted for which rows, each kind says (``ReminderKind.derived_from``). A subject is noted
once for each of the sweep's shards (mdt/reminders/shards.py): it does not say its team, so
each shard derives it again for its own teams, and takes its own row.
"""

from __future__ import annotations

from collections.abc import Iterator

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from mdt.reminders.kinds import sources
from mdt.reminders.models import SHARDS, ReminderRecheck


def subjects_of(session: Session, thing: object) -> Iterator[str]:
    """The reminder subjects whose reminders may change when `thing` is written."""
    for subjects in sources().subjects.get(type(thing), ()):
        yield from subjects(session, thing)


def _changed(thing: object) -> bool:
    columns = sources().columns.get(type(thing), ())
    state = sa.inspect(thing)
    return any(state.attrs[column].history.has_changes() for column in columns)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: object) -> None:
    new_rows = sources().new_rows
    written = [t for t in session.new if type(t) in new_rows]
    written += [t for t in session.dirty if _changed(t)]
    subjects = {subject for thing in written for subject in subjects_of(session, thing)}
    if subjects:
        session.connection().execute(
            sa.insert(ReminderRecheck),
            [
                {"shard": shard, "subject": subject}
                for subject in sorted(subjects)
                for shard in range(SHARDS)
            ],
        )


#: The most one sweep takes: after a bulk import the rest wait for the next minutes'.
TAKE_AT_MOST = 5000


def take(session: Session, shard: int) -> set[str]:
    """The subjects noted for the shard since its last sweep, forgotten as they are taken (a
    sweep that fails rolls back, and the next takes them again)."""
    rows = session.execute(
        sa.select(ReminderRecheck.id, ReminderRecheck.subject)
        .where(ReminderRecheck.shard == shard)
        .order_by(ReminderRecheck.id)
        .limit(TAKE_AT_MOST)
    ).all()
    if rows:
        session.execute(
            sa.delete(ReminderRecheck).where(ReminderRecheck.id.in_([id_ for id_, _ in rows]))
        )
    return {subject for _, subject in rows}
