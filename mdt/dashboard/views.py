from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.extensions import db
from mdt.teams.models import Membership

bp = Blueprint("dashboard", __name__)


@bp.get("/")
def home() -> Response:
    return redirect(
        url_for("dashboard.index" if current_user.is_authenticated else "accounts.login")
    )


@bp.get("/dashboard")
@login_required
def index() -> str:
    memberships = db.session.scalars(
        sa.select(Membership)
        .where(Membership.user_id == current_user.id)
        .options(sa.orm.joinedload(Membership.team))
    ).all()
    memberships = sorted(memberships, key=lambda m: m.team.name)
    return render_template("dashboard/index.html", memberships=memberships, title="Dashboard")
