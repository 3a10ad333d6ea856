"""The rows a report is computed from, for any number of teams, in a fixed number of queries.

Each query selects plain columns (no ORM objects, no lazy loads) for every team asked about
at once, over a UTC window a day wider than the period on each side: the exact period is in
each team's own time zone, so the measures filter the rows again by local date, in Python,
the same way on SQLite and PostgreSQL.

The statements are built once and given the teams and the window as bound parameters:
building them each time (a union, subqueries, their column proxies) took as long as running
them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.agenda.models import Case
from mdt.core.db import UTCDateTime
from mdt.extensions import db
from mdt.meetings.models import Invitation, Meeting, MeetingStatus
from mdt.minutes.models import Discussion, Outcome
from mdt.prep.models import PrepRequest
from mdt.retention.models import DisposedOutcome, DisposedPrep

TEAM_IDS = sa.bindparam("team_ids", expanding=True)
FIRST = sa.bindparam("first", type_=UTCDateTime)
AFTER = sa.bindparam("after", type_=UTCDateTime)


@dataclass
class Rows:
    #: Each meeting's columns, then how many of its discussions ended each way (see
    #: _meetings): discussed (any outcome but "not reached"), deferred, rolled forward.
    meetings: Sequence[sa.Row]  # type: ignore[type-arg]
    invitations: Sequence[sa.Row]  # type: ignore[type-arg]
    prep: Sequence[sa.Row]  # type: ignore[type-arg]
    actions: Sequence[sa.Row]  # type: ignore[type-arg]


def _teams_meetings() -> list[sa.ColumnElement[bool]]:
    return [Meeting.team_id.in_(TEAM_IDS), Meeting.status != MeetingStatus.CANCELLED]


def _meetings_in_window() -> list[sa.ColumnElement[bool]]:
    return [*_teams_meetings(), Meeting.starts_at >= FIRST, Meeting.starts_at < AFTER]


def load(team_ids: Sequence[int], first: datetime, after: datetime) -> Rows:
    """Four queries, whatever the number of teams, meetings or people."""
    params = {"team_ids": list(team_ids), "first": first, "after": after}

    def rows(statement: sa.Select[Any]) -> Sequence[sa.Row]:  # type: ignore[type-arg]
        return db.read_rows(statement, params).all()

    return Rows(
        meetings=rows(_meetings()),
        invitations=rows(_invitations()),
        prep=rows(_prep()),
        actions=rows(_actions()),
    )


@cache
def _invitations() -> sa.Select[Any]:
    return (
        sa.select(
            Invitation.meeting_id,
            Invitation.user_id,
            Invitation.discipline,
            Invitation.counts_for_quorum,
            Invitation.covering_for_id,
            Invitation.attendance,
        )
        .join(Meeting, Meeting.id == Invitation.meeting_id)
        .where(*_meetings_in_window())
    )


def _outcomes(meeting_ids: sa.Select[tuple[int]]) -> sa.Subquery:
    """The outcomes of these meetings' discussions, with those kept as counts when their
    patient's records were disposed of (retention), so a disposal changes no figure."""
    return sa.union_all(
        sa.select(Discussion.meeting_id, Discussion.outcome).where(
            Discussion.meeting_id.in_(meeting_ids)
        ),
        sa.select(DisposedOutcome.meeting_id, DisposedOutcome.outcome).where(
            DisposedOutcome.meeting_id.in_(meeting_ids)
        ),
    ).subquery("outcome")


@cache
def _meetings() -> sa.Select[Any]:
    """The meetings, each with its discussions counted by outcome in the database (one
    statement rather than a second one grouped by meeting and outcome)."""
    columns = (
        Meeting.id,
        Meeting.team_id,
        Meeting.starts_at,
        Meeting.ends_at,
        Meeting.status,
        Meeting.outside_protected_reason,
        Meeting.minutes_sent_at,
    )
    where = _meetings_in_window()
    outcomes = _outcomes(sa.select(Meeting.id).where(*where))

    def count_where(condition: sa.ColumnElement[bool]) -> sa.ColumnElement[int]:
        return sa.func.count(outcomes.c.meeting_id).filter(condition)

    return (
        sa.select(
            *columns,
            count_where(outcomes.c.outcome != Outcome.NOT_REACHED).label("discussed"),
            count_where(outcomes.c.outcome == Outcome.DEFER).label("deferred"),
            count_where(outcomes.c.outcome == Outcome.NOT_REACHED).label("rolled_forward"),
        )
        .outerjoin(outcomes, outcomes.c.meeting_id == Meeting.id)
        .where(*where)
        .group_by(*columns)
    )


@cache
def _prep() -> sa.Select[Any]:
    """Requests are judged by their own deadline, whichever meeting their case is on now;
    those of disposed patients are read from the anonymous rows kept for the reports. Each
    side of the union is kept to the teams' meetings: PostgreSQL does not carry the join on
    the union's result into it, and read every team's requests in the window (a region's
    report took 300 ms, most of it scanning preparation requests)."""
    meeting_ids = sa.select(Meeting.id).where(*_teams_meetings())
    requests = sa.union_all(
        sa.select(
            Case.meeting_id,
            PrepRequest.user_id,
            PrepRequest.discipline,
            PrepRequest.due_at,
            PrepRequest.completed_at,
        )
        .join(Case, Case.id == PrepRequest.case_id)
        .where(
            Case.meeting_id.in_(meeting_ids),
            PrepRequest.due_at >= FIRST,
            PrepRequest.due_at < AFTER,
        ),
        sa.select(
            DisposedPrep.meeting_id,
            DisposedPrep.user_id,
            DisposedPrep.discipline,
            DisposedPrep.due_at,
            DisposedPrep.completed_at,
        ).where(
            DisposedPrep.meeting_id.in_(meeting_ids),
            DisposedPrep.due_at >= FIRST,
            DisposedPrep.due_at < AFTER,
        ),
    ).subquery("request")
    return (
        sa.select(
            Meeting.team_id,
            requests.c.user_id,
            requests.c.discipline,
            requests.c.due_at,
            requests.c.completed_at,
        )
        .join(Meeting, Meeting.id == requests.c.meeting_id)
        .where(*_teams_meetings())
    )


@cache
def _actions() -> sa.Select[Any]:
    """Actions created in the window, and every open one (for "overdue now")."""
    return sa.select(
        ActionPoint.team_id,
        ActionPoint.created_at,
        ActionPoint.due_date,
        ActionPoint.status,
        ActionPoint.closed_at,
    ).where(
        ActionPoint.team_id.in_(TEAM_IDS),
        sa.or_(
            sa.and_(ActionPoint.created_at >= FIRST, ActionPoint.created_at < AFTER),
            ActionPoint.status == ActionStatus.OPEN,
        ),
    )


@cache
def _names() -> sa.Select[Any]:
    return sa.select(User.id, User.name).where(User.id.in_(sa.bindparam("ids", expanding=True)))


def names(user_ids: Iterable[int]) -> dict[int, str]:
    ids = sorted(set(user_ids))
    return dict(db.read_rows(_names(), {"ids": ids}).all())  # type: ignore[arg-type]
