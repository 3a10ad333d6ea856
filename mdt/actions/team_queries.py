"""The team's list of actions: filtered, a page at a time, and every row for the CSV. Its
statements are built once for each shape of filter, the values bound per request."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload

from mdt.accounts.models import User
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.core.db import inline
from mdt.extensions import db
from mdt.meetings.models import Meeting
from mdt.patients.models import Patient


@dataclass(frozen=True)
class TeamFilter:
    owner_id: int | None = None
    #: "open", "done", "cancelled", or None for all.
    status: str | None = None
    overdue: bool = False
    patient_id: int | None = None
    meeting_id: int | None = None
    #: Part of a person's name, or their NHS number (spaces and dashes allowed).
    person: str = ""


#: Rows per page of the team's actions (the CSV holds every matching row).
PAGE_SIZE = 50


@dataclass(frozen=True)
class _TeamShape:
    """Which filters a team list has (their values are bound): a statement per shape."""

    owner: bool
    status: bool
    overdue: bool
    patient: bool
    meeting: bool
    #: "nhs" (ten digits), "name" (part of one), or "" (no person asked for).
    person: str


def _team_shape_and_params(
    team_id: int, want: TeamFilter, today: date
) -> tuple[_TeamShape, dict[str, object]]:
    params: dict[str, object] = {"team_id": team_id}
    if want.owner_id:
        params["owner_id"] = want.owner_id
    if want.status:
        params["status"] = ActionStatus(want.status)
    if want.overdue:
        params["today"] = today
    if want.patient_id:
        params["patient_id"] = want.patient_id
    if want.meeting_id:
        params["meeting_id"] = want.meeting_id
    person = ""
    if want.person.strip():
        digits = re.sub(r"[\s-]", "", want.person)
        if digits.isdigit() and len(digits) == 10:
            person, params["nhs_number"] = "nhs", digits
        else:
            words = want.person.strip().replace("\\", "\\\\")
            words = words.replace("%", "\\%").replace("_", "\\_")
            person, params["name_like"] = "name", f"%{words}%"
    shape = _TeamShape(
        bool(want.owner_id),
        bool(want.status),
        want.overdue,
        bool(want.patient_id),
        bool(want.meeting_id),
        person,
    )
    return shape, params


def _bound(name: str, column: sa.ColumnElement[Any]) -> sa.BindParameter[Any]:
    return sa.bindparam(name, type_=column.type)


@cache
def _team_query(shape: _TeamShape) -> sa.Select[tuple[ActionPoint]]:
    """The team's actions as filtered, built once for each shape of filter: building it on
    every request took longer than the database took to run it."""
    query = sa.select(ActionPoint).where(
        ActionPoint.team_id == _bound("team_id", ActionPoint.team_id)
    )
    if shape.owner:
        query = query.where(ActionPoint.owner_id == _bound("owner_id", ActionPoint.owner_id))
    if shape.status:
        query = query.where(ActionPoint.status == _bound("status", ActionPoint.status))
    if shape.overdue:
        query = query.where(
            ActionPoint.status == ActionStatus.OPEN,
            ActionPoint.due_date < _bound("today", ActionPoint.due_date),
        )
    if shape.patient:
        query = query.where(ActionPoint.patient_id == _bound("patient_id", ActionPoint.patient_id))
    if shape.meeting:
        query = query.where(ActionPoint.meeting_id == _bound("meeting_id", ActionPoint.meeting_id))
    if shape.person == "nhs":
        people = sa.select(Patient.id).where(
            Patient.nhs_number == _bound("nhs_number", Patient.nhs_number)
        )
        query = query.where(ActionPoint.patient_id.in_(people))
    elif shape.person == "name":
        like = Patient.name.ilike(_bound("name_like", Patient.name), escape="\\")
        query = query.where(ActionPoint.patient_id.in_(sa.select(Patient.id).where(like)))
    return query


def _loaded(query: sa.Select[tuple[ActionPoint]]) -> sa.Select[tuple[ActionPoint]]:
    return query.options(
        joinedload(ActionPoint.owner),
        joinedload(ActionPoint.patient),
        joinedload(ActionPoint.meeting).joinedload(Meeting.team),
    )


def _team_order(query: sa.Select[tuple[ActionPoint]]) -> sa.Select[tuple[ActionPoint]]:
    """Open first, then the closed; each soonest due first."""
    return query.order_by(
        sa.case((ActionPoint.status == ActionStatus.OPEN, 0), else_=1),
        ActionPoint.due_date,
        ActionPoint.id,
    )


def team_actions(team_id: int, want: TeamFilter, today: date) -> list[ActionPoint]:
    """Every action matching the filter (for the CSV)."""
    shape, params = _team_shape_and_params(team_id, want, today)
    query = _team_order(_team_query(shape))
    return list(db.session.scalars(_loaded(query), params).unique())


@dataclass(frozen=True, slots=True)
class TeamListedAction:
    """An action as the team's list shows it: plain values (50 tracked actions, each with
    its owner and person, cost more than the rest of the page's Python)."""

    id: int
    description: str
    due_date: date
    status: ActionStatus
    closing_note: str
    patient_id: int | None
    patient_name: str | None
    owner_name: str

    def overdue(self, today: date) -> bool:
        return self.status is ActionStatus.OPEN and self.due_date < today


@dataclass
class ActionsPage:
    actions: list[TeamListedAction]
    total: int
    number: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // PAGE_SIZE))

    @property
    def first(self) -> int:
        return (self.number - 1) * PAGE_SIZE + 1 if self.total else 0

    @property
    def last(self) -> int:
        return self.first + len(self.actions) - 1 if self.total else 0


def team_actions_page(team_id: int, want: TeamFilter, today: date, number: int) -> ActionsPage:
    """One page of the team's actions and how many match: two queries whatever the total."""
    shape, params = _team_shape_and_params(team_id, want, today)
    total = db.read_rows(_team_count(shape), params).scalar() or 0
    number = min(max(number, 1), max(1, -(-total // PAGE_SIZE)))
    rows = db.read_rows(_team_page(shape, number), params)
    return ActionsPage([TeamListedAction(*row) for row in rows], total, number)


@cache
def _team_count(shape: _TeamShape) -> sa.Select[tuple[int]]:
    return sa.select(sa.func.count()).select_from(_team_query(shape).subquery())


@lru_cache(maxsize=512)  # a statement per shape and page (its offset is written in)
def _team_page(shape: _TeamShape, number: int) -> sa.Select[Any]:
    # The page's ids first (a top-N sort of the team's actions alone), then those rows with
    # their owners and people: joined before the limit, every user was hashed for 50 rows.
    ids = (
        _team_order(_team_query(shape).with_only_columns(ActionPoint.id))
        .limit(inline(PAGE_SIZE))
        .offset(inline((number - 1) * PAGE_SIZE))
        .subquery()
    )
    return _team_order(
        sa.select(
            ActionPoint.id,
            ActionPoint.description,
            ActionPoint.due_date,
            ActionPoint.status,
            ActionPoint.closing_note,
            ActionPoint.patient_id,
            Patient.name,
            User.name,
        )
        .join(ids, ids.c.id == ActionPoint.id)
        .join(User, User.id == ActionPoint.owner_id)
        .outerjoin(Patient, Patient.id == ActionPoint.patient_id)
    )
