"""Reports on how well each MDT works: one team's, and every team's side by side.

They hold counts and percentages only, never a patient, so they are not audited and an
administrator may see every team's report without being a member.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa
from flask import Blueprint, Response, abort, render_template, request
from flask_login import login_required

from mdt.accounts.access import admin_required, signed_in_user
from mdt.accounts.models import User
from mdt.core.days import SERVICE_ZONE, today_in
from mdt.core.spreadsheet import csv_response
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.reports import charts, export, measures, queries
from mdt.reports.forms import PeriodForm, default_period
from mdt.teams.access import get_team_or_404
from mdt.teams.models import Team, TeamRole

bp = Blueprint("reports", __name__)
bp.add_app_template_global(charts.ratio_html, "ratio")

#: Who sees a team's report besides administrators: attendees come now and then, so the
#: team's attendance record is not theirs to read.
REPORT_ROLES = (TeamRole.COORDINATOR, TeamRole.CHAIR, TeamRole.CORE_MEMBER)
DEFAULT_ZONE = SERVICE_ZONE


def can_see_report(team: Team, user: User) -> bool:
    membership = team.membership_of(user)
    return user.is_admin or (membership is not None and membership.role in REPORT_ROLES)


def get_report_team_or_404(team_id: int) -> Team:
    team = get_team_or_404(team_id, people=False)  # outsiders: 404
    if not can_see_report(team, signed_in_user()):
        abort(403)
    return team


def _period_form(zone: str) -> tuple[PeriodForm, date, date, bool]:
    """The chosen period, or the last 12 months for what was left blank."""
    form = PeriodForm(request.args)
    valid = form.validate()
    first, last = default_period(today_in(zone))
    if valid:
        first = form.date_from.data or first
        last = form.date_to.data or last
        valid = first <= last
        form.date_from.data, form.date_to.data = first, last  # shown: the period used
        if not valid:
            form.date_to.errors = ["The 'to' date must be the same as or after the 'from' date"]
    return form, first, last, valid


@dataclass
class TeamReport:
    figures: measures.Figures
    names: dict[int, str]


def team_report(team: Team, first: date, last: date) -> TeamReport:
    period = measures.Period(first, last, team.time_zone)
    rows = queries.load([team.id], *measures.utc_window(first, last))
    figures = measures.compute(rows, period, now_utc())
    names = queries.names(figures.user_ids())
    figures.people.sort(key=lambda p: (not p.core, names.get(p.user_id, "")))
    return TeamReport(figures, names)


def _args(form: PeriodForm) -> dict[str, str]:
    """The period as asked for (an ISO date or the three boxes of each date)."""
    dates = (form.date_from.name, form.date_to.name)
    return {k: v for k, v in request.args.items() if k.split("-")[0] in dates}


@bp.get("/teams/<int:team_id>/report", endpoint="team")
@login_required
def team_page(team_id: int) -> str:
    team = get_report_team_or_404(team_id)
    form, first, last, valid = _period_form(team.time_zone)
    report = team_report(team, first, last) if valid else None
    context = _team_charts(report.figures) if report is not None else {}
    return render_template(
        "reports/team.html",
        team=team,
        form=form,
        report=report,
        args=_args(form),
        members={m.user_id: m for m in team.memberships},
        title=f"{team.name} report",
        **context,
    )


def _team_charts(f: measures.Figures) -> dict[str, charts.BarChart | charts.LineChart]:
    return {
        "trend": charts.trend_chart("trend", "Core attendance and preparation by month", f.months),
        "discipline_chart": charts.bar_chart(
            "by-discipline", "Attendance by discipline", f.disciplines
        ),
        "prep_chart": charts.bar_chart(
            "prep-by-discipline", "Preparation on time by discipline", f.prep_by_discipline
        ),
    }


@bp.get("/teams/<int:team_id>/report.csv")
@login_required
def team_csv(team_id: int) -> Response | str:
    team = get_report_team_or_404(team_id)
    _form, first, last, valid = _period_form(team.time_zone)
    if not valid:
        return team_page(team_id)
    report = team_report(team, first, last)
    rows = export.team_rows(report.figures, report.names)
    return csv_response(
        export.TEAM_COLUMNS, rows, f"report-team-{team.id}", today_in(team.time_zone)
    )


def across_teams(first: date, last: date) -> list[tuple[Team, measures.Figures]]:
    """Every team's figures from the same five queries (not five a team)."""
    teams = db.session.scalars(sa.select(Team).order_by(Team.name)).all()
    rows = measures.by_team(queries.load([t.id for t in teams], *measures.utc_window(first, last)))
    now = now_utc()
    return [
        (t, measures.compute(rows[t.id], measures.Period(first, last, t.time_zone), now))
        for t in teams
    ]


@bp.get("/reports/teams", endpoint="teams")
@admin_required
def teams_page() -> str:
    form, first, last, valid = _period_form(DEFAULT_ZONE)
    return render_template(
        "reports/teams.html",
        form=form,
        first=first,
        last=last,
        rows=across_teams(first, last) if valid else [],
        args=_args(form),
        title="Reports across teams",
    )


@bp.get("/reports/teams.csv")
@admin_required
def teams_csv() -> Response | str:
    _form, first, last, valid = _period_form(DEFAULT_ZONE)
    if not valid:
        return teams_page()
    rows = (export.across_row(t.name, f) for t, f in across_teams(first, last))
    return csv_response(export.ACROSS_COLUMNS, rows, "report-teams", today_in(DEFAULT_ZONE))
