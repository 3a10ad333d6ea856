"""/confirm-its-you: the password (and a code) again before changing how one signs in; and
signing out everywhere else."""

from __future__ import annotations

import math

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts import operations as accounts
from mdt.accounts.models import User
from mdt.core.forms import EmptyForm
from mdt.core.redirects import safe_next_path
from mdt.core.throttle import limit_refusals
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mfa import operations as mfa
from mdt.reauth import operations as ops
from mdt.reauth.access import confirmable_here, signed_in_session
from mdt.reauth.forms import ConfirmItsYouForm

bp = Blueprint("reauth", __name__)

WRONG = {
    "password": "The password is wrong",
    "code": "The code is wrong or has already been used",
}


def _failed(response: Response) -> bool:
    return response.status_code == 200


def _locked_message(user: User) -> str | None:
    until = accounts.locked_until(user.email)
    if until is None:
        return None
    minutes = max(1, math.ceil((until - now_utc()).total_seconds() / 60))
    return (
        "Too many failed attempts to sign in to this account. Wait "
        f"{minutes} minute{'s' if minutes != 1 else ''} and try again."
    )


@bp.route("/confirm-its-you", methods=["GET", "POST"])
@login_required
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _failed, methods=["POST"])
def confirm() -> str | Response | tuple[str, int]:
    user: User = current_user  # type: ignore[assignment]
    record = signed_in_session()
    if record is None or not confirmable_here(record):
        page = render_template("reauth/provider_session.html", title="Sign in with a password")
        return page, 403
    next_path = safe_next_path(request.args.get("next"), url_for("accounts.profile"))
    form = ConfirmItsYouForm(needs_code=mfa.has_second_factor(user))
    problem = None
    if form.validate_on_submit():
        problem = _locked_message(user)
        if problem is None:
            code = form.code.data if "code" in form else None
            wrong = ops.confirm_its_you(user, record, form.password.data, code)
            db.session.commit()  # a wrong answer counts towards the lock
            if not wrong:
                return redirect(next_path)
            form[wrong].errors.append(WRONG[wrong])
    if "code" in form:
        form.code.data = ""
    return render_template(
        "reauth/confirm.html", form=form, problem=problem, title="Confirm it's you"
    )


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions() -> Response:
    """Ending one's other sessions only ever takes access away: no confirmation needed."""
    if EmptyForm().validate_on_submit():
        accounts.end_other_sessions(current_user, current_user.get_id())  # type: ignore[arg-type]
        db.session.commit()
        flash("You are signed out everywhere else. This browser stays signed in.")
    else:
        flash("Nothing was changed: the form had expired. Try again.")
    return redirect(url_for("mfa.manage"))
