"""The team's actions: a coordinator's or chair's list, filtered, and the same rows as CSV.
Its routes join the actions blueprint (imported by views.py)."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache

import sqlalchemy as sa
from flask import Response, request
from flask_login import login_required

from mdt.accounts.models import User
from mdt.actions.access import get_team_for_actions_or_404
from mdt.actions.blueprint import bp
from mdt.actions.models import ActionPoint, ActionStatus
from mdt.actions.team_queries import TeamFilter, team_actions, team_actions_page
from mdt.audit.operations import record, render_audited
from mdt.core.days import to_local, today_in
from mdt.core.db import in_rows, row_id
from mdt.core.forms import SearchForm, search_form
from mdt.core.spreadsheet import csv_response
from mdt.extensions import db
from mdt.meetings.models import Meeting
from mdt.teams.models import Team

#: The filters that name a row, and what each names (also the id of its field on the page).
ID_FILTERS = {"owner": "owner", "patient": "person", "meeting": "meeting"}


def _team_filter() -> tuple[TeamFilter, list[tuple[str, str]]]:
    """The filters asked for in the query string, and (field, message) for each that names no
    row (typed into the address, or a link edited by hand): it is left out, and the page says
    so."""
    problems = []

    def number(name: str) -> int | None:
        raw = request.args.get(name, "").strip()
        found = row_id(raw)
        if raw and found is None:
            what = ID_FILTERS[name]
            message = f"The {what} in the link is not one this list can show, so any {what}'s "
            problems.append((what, message + "actions are shown"))
        return found

    status = request.args.get("status", "")
    want = TeamFilter(
        owner_id=number("owner"),
        status=status if status in ActionStatus._value2member_map_ else None,
        overdue=request.args.get("overdue") == "1",
        patient_id=number("patient"),
        meeting_id=number("meeting"),
        person=_person_search().text(),
    )
    return want, problems


@bp.get("/teams/<int:team_id>/actions")
@login_required
def team(team_id: int) -> str:
    team = get_team_for_actions_or_404(team_id)
    want, problems = _team_filter()
    return _render_team(team, want, problems)


def _render_team(team: Team, want: TeamFilter, problems: list[tuple[str, str]]) -> str:
    today = today_in(team.time_zone)
    page = team_actions_page(team.id, want, today, request.args.get("page", 1, type=int))
    actions = page.actions
    page = render_audited(
        "actions/team.html",
        patient_ids=[a.patient_id for a in actions if a.patient_id],
        what="team actions",
        team=team,
        actions=actions,
        page=page,
        args={k: v for k, v in request.args.items() if k != "page"},
        want=want,
        search=_person_search(),
        today=today,
        owners=_filter_owners(team.id),
        meetings=[
            (m.id, f"{to_local(m.starts_at, team.time_zone):%-d %b %Y}")
            for m in _filter_meetings(team.id)
        ],
        query=request.query_string.decode(),
        problems=problems,
        title=f"{team.name} actions",
    )
    db.session.commit()
    return page


def _filter_owners(team_id: int) -> list[sa.Row[tuple[int, str]]]:
    """(id, name) of everyone who has owned one of the team's actions."""
    return list(db.read_rows(_filter_owners_statement(), {"team_id": team_id}))


def _filter_meetings(team_id: int) -> list[sa.Row[tuple[int, datetime]]]:
    """(id, starts_at) of the team's meetings that agreed actions, latest first."""
    return list(db.read_rows(_filter_meetings_statement(), {"team_id": team_id}))


# Built once (the list asks on every load), the team bound per request.
_TEAM_ID = sa.bindparam("team_id", type_=sa.Integer)


@cache
def _filter_owners_statement() -> sa.Select[tuple[int, str]]:
    ids = sa.select(ActionPoint.owner_id).where(ActionPoint.team_id == _TEAM_ID)
    return sa.select(User.id, User.name).where(in_rows(User.id, ids)).order_by(User.name)


@cache
def _filter_meetings_statement() -> sa.Select[tuple[int, datetime]]:
    """(The team condition is implied by the actions', but lets the database start from the
    team's meetings rather than read them all.)"""
    ids = sa.select(ActionPoint.meeting_id).where(ActionPoint.team_id == _TEAM_ID)
    return (
        sa.select(Meeting.id, Meeting.starts_at)
        .where(Meeting.team_id == _TEAM_ID, Meeting.id.in_(ids))
        .order_by(Meeting.starts_at.desc())
    )


CSV_COLUMNS = (
    "Action",
    "Team",
    "Meeting date",
    "Patient",
    "NHS number",
    "Description",
    "Owner",
    "Owner organisation",
    "Due date",
    "Status",
    "Overdue",
    "Closed",
    "Closing note",
)


@bp.get("/teams/<int:team_id>/actions.csv")
@login_required
def team_csv(team_id: int) -> Response | str:
    team = get_team_for_actions_or_404(team_id)
    want, problems = _team_filter()
    if problems:  # the file would hold more than asked for: the page says why instead
        return _render_team(team, want, problems)
    today = today_in(team.time_zone)
    actions = team_actions(team.id, want, today)
    # Everything read before the commit, which expires every loaded row (the team too).
    rows = [_csv_row(a, team, today) for a in actions]
    filename = f"actions-team-{team.id}"
    record("export", [a.patient_id for a in actions if a.patient_id], "team actions CSV")
    db.session.commit()
    return csv_response(CSV_COLUMNS, rows, filename, today)


def _csv_row(a: ActionPoint, team: Team, today: date) -> list[str]:
    closed = to_local(a.closed_at, team.time_zone).strftime("%Y-%m-%d") if a.closed_at else ""
    return [
        str(a.id),
        team.name,
        to_local(a.meeting.starts_at, team.time_zone).strftime("%Y-%m-%d"),
        a.patient.name if a.patient else "",
        a.patient.nhs_number if a.patient else "",
        a.description,
        a.owner.name,
        a.owner.organisation.name,
        a.due_date.isoformat(),
        a.status.value,
        "yes" if a.overdue(today) else "no",
        closed,
        a.closing_note,
    ]


def _person_search() -> SearchForm:
    """The filter by a person's name or NHS number, checked like a form."""
    return search_form("person", "Name or NHS number", max_length=120)
