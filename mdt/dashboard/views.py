from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, flash, redirect, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.audit.operations import render_audited
from mdt.core.forms import EmptyForm
from mdt.core.time import now_utc
from mdt.dashboard import operations as ops
from mdt.dashboard import queries
from mdt.dashboard.access import get_run_meeting_or_404
from mdt.extensions import db

bp = Blueprint("dashboard", __name__)

EXPIRED = "Nothing was sent: the form had expired. Try again."


@bp.get("/")
def home() -> Response:
    return redirect(
        url_for("dashboard.index" if current_user.is_authenticated else "accounts.login")
    )


@bp.get("/dashboard")
@login_required
def index() -> str:
    now = now_utc()
    panels = queries.panels(signed_in_user(), now)
    # The overdue actions it lists are about patients: audited as the team's actions list is.
    page = render_audited(
        "dashboard/index.html",
        patient_ids=[pid for panel in panels for pid in panel.patient_ids],
        what="dashboard: the team's overdue actions",
        memberships=queries.my_teams(signed_in_user()),
        owed=queries.prep_owed(signed_in_user(), now),
        actions=queries.actions_owed(signed_in_user()),
        panels=panels,
        remind_form=EmptyForm(),
        title="Dashboard",
    )
    db.session.commit()
    return page


@bp.post("/meetings/<int:meeting_id>/remind-owing")
@login_required
def remind_owing(meeting_id: int) -> Response:
    meeting = get_run_meeting_or_404(meeting_id)
    back = redirect(url_for("dashboard.index", _anchor=f"team-{meeting.team_id}"))
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
        return back
    try:
        reminded = ops.remind_owing(meeting, signed_in_user(), now_utc())
        db.session.commit()
    except sa.exc.IntegrityError:  # pressed twice at once: the other press is sending them
        db.session.rollback()
        flash("Nothing more was sent: the reminders are being sent already.")
        return back
    flash(ops.said(reminded))
    return back
