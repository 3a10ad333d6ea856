"""Subjects whose reminders a change may have made due in the past: noted with the change.

Each minute's sweep derives only what fell due since the last sweep. A meeting booked this
morning for tomorrow had its reminder due at 07:30, before it existed; an action raised due
in two days had its "due soon" due yesterday. So every flush that writes what a reminder is
derived from notes the subjects it touched (in the same transaction), and the next sweep
derives their reminders over the whole look-back, as it did for everything before.
To add a kind: note its subjects here too.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint
from mdt.agenda.models import Case
from mdt.directory.models import PersonCheck, Service
from mdt.meetings.models import Invitation, Meeting
from mdt.prep.models import PrepRequest
from mdt.reminders.models import ReminderRecheck

#: What reminders are derived from: a new row of these, or a change to these columns.
DERIVED_FROM: dict[type, tuple[str, ...]] = {
    Meeting: ("team_id", "starts_at", "ends_at", "status", "minutes_sent_at"),
    Invitation: ("user_id", "reply"),
    Case: ("meeting_id",),
    PrepRequest: ("case_id", "user_id", "completed_at"),
    ActionPoint: ("team_id", "owner_id", "due_date", "status"),
    Service: ("owner_id", "verified_at"),
    PersonCheck: ("verified_at",),
    User: ("is_active",),
}


def subjects_of(session: Session, thing: object) -> Iterator[str]:
    """The reminder subjects whose reminders may change when `thing` is written."""
    if isinstance(thing, Meeting):
        yield from (f"{kind}:{thing.id}" for kind in ("meeting", "prep", "prep-open", "minutes"))
    elif isinstance(thing, Invitation):
        yield f"meeting:{thing.meeting_id}"
    elif isinstance(thing, Case):
        yield from _prep_subjects(_values(thing, "meeting_id"))
    elif isinstance(thing, PrepRequest):
        cases = (session.get(Case, case_id) for case_id in _values(thing, "case_id"))
        yield from _prep_subjects([case.meeting_id for case in cases if case is not None])
    elif isinstance(thing, ActionPoint):
        yield f"action:{thing.id}"
    elif isinstance(thing, Service):
        yield f"service:{thing.id}"
    elif isinstance(thing, PersonCheck):
        yield f"person:{thing.user_id}"
    elif isinstance(thing, User):
        yield f"person:{thing.id}"


def _prep_subjects(meeting_ids: list[int]) -> Iterator[str]:
    for meeting_id in meeting_ids:
        yield from (f"prep:{meeting_id}", f"prep-open:{meeting_id}")


def _values(thing: object, attribute: str) -> list[Any]:
    """The attribute's value, and its value before if this flush changed it."""
    history = sa.inspect(thing).attrs[attribute].history
    return [*history.added, *history.unchanged, *history.deleted]


def _changed(thing: object) -> bool:
    columns = DERIVED_FROM.get(type(thing), ())
    state = sa.inspect(thing)
    return any(state.attrs[column].history.has_changes() for column in columns)


@event.listens_for(Session, "after_flush")
def _note_changes(session: Session, _context: object) -> None:
    written = [t for t in session.new if type(t) in DERIVED_FROM and type(t) is not User]
    written += [t for t in session.dirty if _changed(t)]
    subjects = {subject for thing in written for subject in subjects_of(session, thing)}
    if subjects:
        session.connection().execute(
            sa.insert(ReminderRecheck), [{"subject": subject} for subject in sorted(subjects)]
        )


#: The most one sweep takes: after a bulk import the rest wait for the next minutes'.
TAKE_AT_MOST = 5000


def take(session: Session) -> set[str]:
    """The subjects noted since the last sweep, forgotten as they are taken (a sweep that
    fails rolls back, and the next takes them again)."""
    rows = session.execute(
        sa.select(ReminderRecheck.id, ReminderRecheck.subject)
        .order_by(ReminderRecheck.id)
        .limit(TAKE_AT_MOST)
    ).all()
    if rows:
        session.execute(
            sa.delete(ReminderRecheck).where(ReminderRecheck.id.in_([id_ for id_, _ in rows]))
        )
    return {subject for _, subject in rows}
