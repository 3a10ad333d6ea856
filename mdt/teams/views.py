from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy.orm import selectinload
from werkzeug.wrappers import Response
from wtforms import SelectChoice

from mdt.accounts.access import admin_required
from mdt.accounts.models import User
from mdt.core.forms import EmptyForm, choices
from mdt.core.revisions import CONFLICT, EXPIRED, save
from mdt.extensions import db
from mdt.teams import operations as ops
from mdt.teams.access import get_membership_or_404, get_team_or_404
from mdt.teams.attendance import attendance_history
from mdt.teams.forms import MembershipForm, NewMembershipForm, NewTeamForm, TeamForm
from mdt.teams.models import Membership, Team, TeamRole

bp = Blueprint("teams", __name__, url_prefix="/teams")

TEAM_FIELDS = ("name", "description", "time_zone", "default_location", "default_video_link")
LAST_COORDINATOR = "A team needs at least one coordinator: make someone else coordinator first."


def _people_choices(blank: str) -> list[SelectChoice]:
    rows = db.session.execute(
        sa.select(User.id, User.name, User.email).where(User.is_active).order_by(User.name)
    )
    return choices([(0, blank)] + [(r.id, f"{r.name} ({r.email})") for r in rows])


@bp.get("/")
@login_required
def index() -> str:
    query = sa.select(Team).order_by(Team.name).options(selectinload(Team.memberships))
    if not current_user.is_admin:
        query = query.join(Membership).where(Membership.user_id == current_user.id)
    teams = db.session.scalars(query).unique().all()
    return render_template("teams/index.html", teams=teams, title="Teams")


@bp.route("/new", methods=["GET", "POST"])
@admin_required
def new() -> str | Response:
    form = NewTeamForm()
    form.coordinator_id.choices = _people_choices("Choose a person")
    if form.validate_on_submit():
        if ops.name_taken(form.name.data):
            form.name.errors.append("A team with this name already exists")
        else:
            coordinator = db.session.get(User, form.coordinator_id.data) or abort(400)
            team = ops.create_team(
                coordinator,
                form.coordinator_discipline.data,
                **{f: getattr(form, f).data for f in TEAM_FIELDS},
            )
            db.session.commit()
            flash(f"{team.name} is created.")
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template("teams/new.html", form=form, title="Create a team")


@bp.get("/<int:team_id>")
@login_required
def detail(team_id: int) -> str:
    team = get_team_or_404(team_id)
    return render_template(
        "teams/detail.html",
        team=team,
        can_manage=team.can_manage(current_user),
        attendance=attendance_history(team.id),
        remove_form=EmptyForm(),
        title=team.name,
    )


@bp.route("/<int:team_id>/settings", methods=["GET", "POST"])
@login_required
def settings(team_id: int) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    form = TeamForm(obj=team)
    conflict = None
    if form.validate_on_submit():
        if ops.name_taken(form.name.data, except_team=team):
            form.name.errors.append("A team with this name already exists")
        else:
            fields = {f: getattr(form, f).data for f in TEAM_FIELDS}
            saved = save(
                lambda: ops.update_team(team, form.revision.data, **fields),
                saved="The team's settings are saved.",
                then=url_for("teams.detail", team_id=team.id),
            )
            if saved is not None:
                return saved
            conflict = CONFLICT
    return render_template(
        "teams/settings.html",
        form=form,
        team=team,
        conflict=conflict,
        title=f"{team.name} settings",
    )


@bp.route("/<int:team_id>/members/new", methods=["GET", "POST"])
@login_required
def add_member(team_id: int) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    form = NewMembershipForm()
    form.user_id.choices = _people_choices("Choose a person")
    form.deputy_id.choices = _people_choices("No deputy")
    if form.validate_on_submit():
        user = db.session.get(User, form.user_id.data) or abort(400)
        if team.membership_of(user):
            form.user_id.errors.append(f"{user.name} is already in this team")
        else:
            deputy = db.session.get(User, form.deputy_id.data) if form.deputy_id.data else None
            ops.add_member(team, user, TeamRole(form.role.data), form.discipline.data, deputy)
            db.session.commit()
            flash(f"{user.name} is added to {team.name}.")
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template(
        "teams/member_form.html", form=form, team=team, membership=None, title="Add a member"
    )


@bp.route("/<int:team_id>/members/<int:membership_id>", methods=["GET", "POST"])
@login_required
def edit_member(team_id: int, membership_id: int) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    membership = get_membership_or_404(team, membership_id)
    form = MembershipForm(obj=membership)
    form.deputy_id.choices = [
        c for c in _people_choices("No deputy") if c.value != membership.user_id
    ]
    if form.validate_on_submit():
        deputy = db.session.get(User, form.deputy_id.data) if form.deputy_id.data else None
        try:
            ops.change_member(membership, TeamRole(form.role.data), form.discipline.data, deputy)
        except ops.LastCoordinator:
            form.role.errors.append(LAST_COORDINATOR)
        else:
            db.session.commit()
            flash(f"{membership.user.name}'s membership is saved.")
            return redirect(url_for("teams.detail", team_id=team.id))
    return render_template(
        "teams/member_form.html",
        form=form,
        team=team,
        membership=membership,
        title=membership.user.name,
    )


@bp.post("/<int:team_id>/members/<int:membership_id>/remove")
@login_required
def remove_member(team_id: int, membership_id: int) -> Response:
    team = get_team_or_404(team_id, manage=True)
    membership = get_membership_or_404(team, membership_id)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
    else:
        try:
            ops.remove_member(membership)
        except ops.LastCoordinator:
            flash(LAST_COORDINATOR)
        else:
            db.session.commit()
            flash(f"{membership.user.name} is no longer in {team.name}.")
    return redirect(url_for("teams.detail", team_id=team.id))
