"""Members' commitments: their own, or recorded by a coordinator for a member of the team."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.availability import operations as ops
from mdt.availability.forms import AbsenceForm, RecurringCommitmentForm
from mdt.availability.models import Commitment
from mdt.core.forms import EmptyForm
from mdt.core.redirects import safe_next_path
from mdt.core.revisions import EXPIRED
from mdt.extensions import db
from mdt.teams.access import get_membership_or_404, get_team_or_404

bp = Blueprint("availability", __name__)


def _commitments(user: User) -> list[Commitment]:
    return list(
        db.session.scalars(
            sa.select(Commitment)
            .where(Commitment.user_id == user.id)
            .order_by(Commitment.kind, Commitment.start_date)
        )
    )


def _page(person: User, back: str, action_base: dict[str, int]) -> str | Response:
    kind = request.form.get("kind") or request.args.get("kind")
    recurring = RecurringCommitmentForm(
        prefix="r", formdata=request.form if kind == "recurring" else None
    )
    absence = AbsenceForm(prefix="a", formdata=request.form if kind == "absence" else None)
    form = {"recurring": recurring, "absence": absence}.get(kind or "")
    if request.method == "POST" and form is not None and form.validate_on_submit():
        add = ops.add_recurring if kind == "recurring" else ops.add_absence
        add(person, signed_in_user(), form)
        db.session.commit()
        flash(f"{form.label.data} is added.")
        return redirect(request.path)
    return render_template(
        "availability/index.html",
        person=person,
        commitments=_commitments(person),
        recurring=recurring,
        absence=absence,
        back=back,
        remove_form=EmptyForm(),
        action_base=action_base,
        own=person.id == current_user.id,
        title="Clinics, visits and leave",
    )


@bp.route("/availability", methods=["GET", "POST"])
@login_required
def mine() -> str | Response:
    return _page(signed_in_user(), url_for("dashboard.index"), {})


@bp.route("/teams/<int:team_id>/members/<int:membership_id>/availability", methods=["GET", "POST"])
@login_required
def for_member(team_id: int, membership_id: int) -> str | Response:
    team = get_team_or_404(team_id, manage=True)
    membership = get_membership_or_404(team, membership_id)
    return _page(
        membership.user,
        url_for("teams.detail", team_id=team.id),
        {"team_id": team.id, "membership_id": membership.id},
    )


@bp.post("/availability/<int:commitment_id>/remove")
@login_required
def remove(commitment_id: int) -> Response:
    commitment = db.session.get(Commitment, commitment_id) or abort(404)
    if commitment.user_id != current_user.id and not _manages_someone_with(commitment.user_id):
        abort(404)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
    else:
        ops.remove(commitment)
        db.session.commit()
        flash(f"{commitment.label} is removed.")
    return redirect(safe_next_path(request.form.get("back"), url_for("availability.mine")))


def _manages_someone_with(user_id: int) -> bool:
    from mdt.teams.models import Membership, TeamRole

    if current_user.is_admin:
        return True
    mine = sa.select(Membership.team_id).where(
        Membership.user_id == current_user.id, Membership.role == TeamRole.COORDINATOR
    )
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.user_id == user_id, Membership.team_id.in_(mine))
        )
        > 0
    )
