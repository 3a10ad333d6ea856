from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_login import login_required
from werkzeug.wrappers import Response

from mdt.accounts.access import signed_in_user
from mdt.extensions import db
from mdt.reminders import operations as ops
from mdt.reminders.forms import DIGEST, IMMEDIATE, PreferencesForm
from mdt.reminders.timing import reminder_time

bp = Blueprint("reminders", __name__, url_prefix="/reminders")


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def preferences() -> str | Response:
    form = PreferencesForm()
    if form.validate_on_submit():
        ops.set_preference(signed_in_user(), form.how.data == IMMEDIATE)
        db.session.commit()
        flash("Your reminder choice is saved.")
        return redirect(url_for("reminders.preferences"))
    if not form.is_submitted():
        form.how.data = IMMEDIATE if ops.wants_immediate(signed_in_user()) else DIGEST
    return render_template(
        "reminders/preferences.html",
        form=form,
        digest_time=reminder_time(current_app.config),
        title="Reminders",
    )
