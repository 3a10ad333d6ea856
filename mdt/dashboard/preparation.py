"""A meeting's invitees and agenda as its readiness reads them: for every meeting at once
(the dashboard's panels) or for one ("Remind those who still owe")."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import sqlalchemy as sa

from mdt.accounts.models import User
from mdt.agenda.models import Case
from mdt.dashboard.owing import Preparer, PrepRow
from mdt.extensions import db
from mdt.meetings.models import Invitation
from mdt.prep.models import PrepRequest


def invitation_rows(meeting_ids: list[int]) -> dict[int, list[sa.Row]]:  # type: ignore[type-arg]
    """Each meeting's invitees, by name: who, their reply, and whom they cover for."""
    rows = db.read_rows(_invitations_statement(), {"meeting_ids": meeting_ids})
    found = defaultdict(list)
    for row in rows:
        found[row.meeting_id].append(row)
    return found


# Built once (the dashboard asks on every load), the meetings bound per request.
MEETING_IDS = sa.bindparam("meeting_ids", expanding=True)


@cache
def _invitations_statement() -> sa.Select[Any]:
    return (
        sa.select(
            Invitation.meeting_id,
            Invitation.reply,
            Invitation.covering_for_id,
            User.id,
            User.name,
            User.email,
            User.is_active,
        )
        .join(User, User.id == Invitation.user_id)
        .where(Invitation.meeting_id.in_(MEETING_IDS))
        .order_by(User.name, User.id)
    )


def covers_in(invitations: Iterable[sa.Row]) -> dict[int, Preparer]:  # type: ignore[type-arg]
    """Covered member's id -> their cover, from a meeting's invitation rows."""
    return {
        row.covering_for_id: Preparer(row.id, row.name, row.email, row.is_active)
        for row in invitations
        if row.covering_for_id is not None
    }


@dataclass
class Agenda:
    """A meeting's cases (ids) and every preparation request of them."""

    cases: set[int] = field(default_factory=set)
    preps: list[PrepRow] = field(default_factory=list)


def agenda_rows(meeting_ids: list[int]) -> dict[int, Agenda]:
    """Each meeting's cases with their requests, in one statement (a case nobody is asked to
    prepare comes as a row without a person)."""
    rows = db.read_rows(_agenda_statement(), {"meeting_ids": meeting_ids})
    found: dict[int, Agenda] = defaultdict(Agenda)
    for meeting_id, case_id, done, *person in rows:
        agenda = found[meeting_id]
        agenda.cases.add(case_id)
        if person[0] is not None:
            agenda.preps.append(PrepRow(case_id, Preparer(*person), bool(done)))
    return found


@cache
def _agenda_statement() -> sa.Select[Any]:
    return (
        sa.select(
            Case.meeting_id,
            Case.id,
            PrepRequest.completed_at.is_not(None),
            User.id,
            User.name,
            User.email,
            User.is_active,
        )
        .select_from(Case)
        .outerjoin(PrepRequest, PrepRequest.case_id == Case.id)
        .outerjoin(User, User.id == PrepRequest.user_id)
        .where(Case.meeting_id.in_(MEETING_IDS))
    )
