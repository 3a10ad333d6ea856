"""/confirm-its-you: the password (and a code) again before changing how one signs in; and
signing out everywhere else."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wrappers import Response

from mdt.accounts import operations as accounts
from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.accounts.recent import confirmable_here, signed_in_session
from mdt.core.forms import CSRF_MESSAGE, EmptyForm
from mdt.core.redirects import safe_next_path
from mdt.core.throttle import limit_refusals
from mdt.extensions import db
from mdt.mfa import factors, passkeys
from mdt.reauth import operations as ops
from mdt.reauth.forms import ConfirmItsYouForm

bp = Blueprint("reauth", __name__)

WRONG = {
    "password": "The password is wrong",
    "code": "The code is wrong or has already been used",
}
PASSKEY_REFUSED = "Your passkey could not be used. Try again, or type a code if you have an app."
USE_PASSKEY = "Type your password, then choose Continue with a passkey"


def _failed(response: Response) -> bool:
    return response.status_code == 200


@bp.route("/confirm-its-you", methods=["GET", "POST"])
@login_required
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _failed, methods=["POST"])
def confirm() -> str | Response | tuple[str, int]:
    user: User = signed_in_user()
    record = signed_in_session()
    if record is None or not confirmable_here(record):
        page = render_template("reauth/provider_session.html", title="Sign in with a password")
        return page, 403
    next_path = safe_next_path(request.args.get("next"), url_for("accounts.profile"))
    has = factors.factors_of(user)
    form = ConfirmItsYouForm(factors=has)
    problem = None
    if form.validate_on_submit():
        problem = factors.locked_problem(user)
        if problem is None:
            wrong = ops.confirm_its_you(user, record, form.password.data, _proof(form))
            db.session.commit()  # a wrong answer counts towards the lock
            if not wrong:
                return redirect(next_path)
            problem = _wrong_answer(form, wrong)
    form.forget_proof()
    return render_template(
        "reauth/confirm.html", form=form, problem=problem, factors=has, title="Confirm it's you"
    )


def _wrong_answer(form: ConfirmItsYouForm, wrong: str) -> str | None:
    """A wrong password or code is its field's error; anything else is the page's problem."""
    if wrong in form and wrong != "passkey":
        form[wrong].errors.append(WRONG[wrong])
        return None
    return PASSKEY_REFUSED if wrong == "passkey" else USE_PASSKEY


def _proof(form: ConfirmItsYouForm) -> factors.Proof | None:
    """The passkey's answer when the browser gave one, else the code typed, if any."""
    answer = form.passkey_answer()
    if answer:
        try:
            return factors.PasskeyAnswer(json.loads(answer))
        except ValueError:
            return factors.PasskeyAnswer(None)  # refused by the check, and counted
    if "code" in form and form.code.data:
        return factors.Code(form.code.data)
    return None


@bp.post("/confirm-its-you/passkey-options")
@login_required
def passkey_options() -> Response | tuple[Response, int]:
    """The challenge for confirming with a passkey on /confirm-its-you (JSON, with the
    CSRF token in the body, as mdt/static/passkeys.js sends it)."""
    user: User = signed_in_user()
    record = signed_in_session()
    if record is None or not confirmable_here(record) or not factors.factors_of(user).passkeys:
        abort(404)
    body = request.get_json(silent=True)
    token = body.get("csrf_token") if isinstance(body, dict) else None
    form = EmptyForm(
        formdata=ImmutableMultiDict({"csrf_token": token if isinstance(token, str) else ""})
    )
    if not form.validate_on_submit():
        return jsonify(problem=CSRF_MESSAGE), 400
    options = passkeys.authentication_options(user)
    db.session.commit()
    return Response(options, mimetype="application/json")


@bp.post("/sessions/end-others")
@login_required
def end_other_sessions() -> Response:
    """Ending one's other sessions only ever takes access away: no confirmation needed."""
    if EmptyForm().validate_on_submit():
        accounts.end_other_sessions(signed_in_user(), current_user.get_id())
        db.session.commit()
        flash("You are signed out everywhere else. This browser stays signed in.")
    else:
        flash("Nothing was changed: the form had expired. Try again.")
    return redirect(url_for("mfa.manage"))
