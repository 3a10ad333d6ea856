from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.agenda.models import Case
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.meetings.models import Meeting, MeetingStatus
from mdt.prep.models import PrepRequest
from mdt.teams.models import Membership, Team, TeamRole

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home() -> Response:
    return redirect(
        url_for("dashboard.index" if current_user.is_authenticated else "accounts.login")
    )


@bp.get("/dashboard")
@login_required
def index() -> str:
    return render_template(
        "dashboard/index.html",
        memberships=_my_teams(),
        owed=_prep_owed(),
        actions=_actions_owed(),
        title="Dashboard",
    )


def _my_teams() -> list[sa.Row[tuple[int, str, TeamRole, str]]]:
    """Each of the person's teams (team_id, team, role, discipline), by name: all the list
    shows. A Membership would bring its person and deputy, each joined to an organisation."""
    rows = db.session.execute(
        sa.select(
            Team.id.label("team_id"),
            Team.name.label("team"),
            Membership.role,
            Membership.discipline,
        )
        .join(Team, Team.id == Membership.team_id)
        .where(Membership.user_id == current_user.id)
    ).all()
    return sorted(rows, key=lambda m: m.team)


def _actions_owed() -> tuple[int, int]:
    """(open actions the person owns, of which overdue), in one query."""
    from mdt.actions.models import ActionPoint, ActionStatus
    from mdt.core.calendar import SERVICE_ZONE, today_in

    overdue = sa.case((ActionPoint.due_date < today_in(SERVICE_ZONE), 1), else_=0)
    row = db.session.execute(
        sa.select(sa.func.count(ActionPoint.id), sa.func.coalesce(sa.func.sum(overdue), 0)).where(
            ActionPoint.owner_id == current_user.id, ActionPoint.status == ActionStatus.OPEN
        )
    ).one()
    return int(row[0]), int(row[1])


def _prep_owed() -> tuple[int, int]:
    """(open preparation requests, of which overdue) for meetings still to come."""
    now = now_utc()
    overdue = sa.case((PrepRequest.due_at < now, 1), else_=0)
    row = db.session.execute(
        sa.select(sa.func.count(PrepRequest.id), sa.func.coalesce(sa.func.sum(overdue), 0))
        .join(Case, Case.id == PrepRequest.case_id)
        .join(Meeting, Meeting.id == Case.meeting_id)
        .where(
            PrepRequest.user_id == current_user.id,
            PrepRequest.completed_at.is_(None),
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.ends_at > now,
        )
    ).one()
    return int(row[0]), int(row[1])
