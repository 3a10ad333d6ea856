"""Passkeys: adding one under "Second factor", removing one, and using one at the second
step of signing in. The ceremonies are JSON between mdt/static/passkeys.js and these views;
without JavaScript the pages still work with an authenticator app's code."""

from __future__ import annotations

from typing import Any, TypeVar

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.wrappers import Response

from mdt.accounts import operations as accounts
from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.accounts.recent import recent_authentication_required
from mdt.core.forms import BaseForm, EmptyForm
from mdt.core.throttle import limit_refusals
from mdt.extensions import db
from mdt.mfa import factors, pages, passkeys, pending
from mdt.mfa.access import get_own_passkey_or_404
from mdt.mfa.forms import PasskeyNameForm, RemovePasskeyForm

F = TypeVar("F", bound=BaseForm)

bp = Blueprint("passkeys", __name__, url_prefix="/passkeys")

NEEDS_SCRIPT = (
    "Your browser did not send a passkey. Adding a passkey needs JavaScript switched on; "
    "an authenticator app works without it."
)
TIMED_OUT = "Signing in took too long. Enter your email address and password again."


def _refused(response: Response) -> bool:
    return response.status_code == 400


def _problem(message: str) -> tuple[Response, int]:
    return jsonify(problem=message), 400


def _form_problem(form: Any) -> tuple[Response, int]:
    first = next((errors[0] for errors in form.errors.values() if errors), "Try again")
    return _problem(first)


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    return body if isinstance(body, dict) else {}


def _json_form(form_class: type[F], prefix: str = "") -> F:
    """The form read from the JSON body's strings (the CSRF token, a name): whatever else the
    body holds, or if it is no object at all, the form sees only what it can check."""
    strings = {k: v for k, v in _json_body().items() if isinstance(v, str)}
    return form_class(formdata=ImmutableMultiDict(strings), prefix=prefix)


def _credential() -> Any:
    return _json_body().get("credential")


# --- adding and removing (signed in) -------------------------------------------------------


@bp.post("/options")
@recent_authentication_required
def registration_options() -> Response | tuple[Response, int]:
    """Past the window, the script follows the redirect to "Confirm it's you"."""
    form = _json_form(PasskeyNameForm, pages.PASSKEY_PREFIX)
    if not form.validate_on_submit():
        return _form_problem(form)
    options = passkeys.registration_options(signed_in_user())
    db.session.commit()
    return Response(options, mimetype="application/json")


@bp.post("")
@recent_authentication_required
def register() -> str | Response | tuple[Response, int]:
    user: User = signed_in_user()
    if not request.is_json:  # the form posted without the script: nothing to register
        form = PasskeyNameForm(prefix=pages.PASSKEY_PREFIX)
        if form.validate_on_submit():
            form.name.errors.append(NEEDS_SCRIPT)
        return pages.manage(user, passkey_form=form)
    form = _json_form(PasskeyNameForm, pages.PASSKEY_PREFIX)
    if not form.validate_on_submit():
        return _form_problem(form)
    try:
        passkey = passkeys.register(user, form.name.data, _credential())
    except passkeys.PasskeyRefused as refused:
        db.session.commit()  # the spent challenge and the audit row
        return _problem(str(refused))
    db.session.commit()
    flash(f"Your passkey ‘{passkey.name}’ is added.")
    return jsonify(next=url_for("mfa.manage"))


@bp.route("/<int:passkey_id>/remove", methods=["GET", "POST"])
@recent_authentication_required
def remove(passkey_id: int) -> str | Response:
    """Someone at an unlocked screen cannot take a passkey off: it needs "Confirm it's you"
    within the last few minutes (mdt.reauth)."""
    user: User = signed_in_user()
    passkey = get_own_passkey_or_404(user, passkey_id)
    form = RemovePasskeyForm()
    problem = factors.removal_problem(user)
    if form.validate_on_submit() and problem is None:
        passkeys.remove(user, passkey)
        if form.end_other_sessions.data:
            accounts.end_other_sessions(user, user.get_id())
        db.session.commit()
        flash(f"Your passkey ‘{passkey.name}’ is removed.")
        return redirect(url_for("mfa.manage"))
    return render_template(
        "mfa/remove_passkey.html", passkey=passkey, form=form, problem=problem,
        title="Remove a passkey",
    )  # fmt: skip


# --- the second step of signing in ---------------------------------------------------------


def _pending_or_login() -> User | Response:
    user = pending.pending_user()
    if user is None:
        flash(TIMED_OUT)
        return redirect(url_for("accounts.login"))
    return user


@bp.post("/sign-in/options")
def authentication_options() -> Response | tuple[Response, int]:
    user = _pending_or_login()
    if isinstance(user, Response):
        return user
    form = _json_form(EmptyForm)
    if not form.validate_on_submit():
        return _form_problem(form)
    if not factors.factors_of(user).passkeys:
        abort(404)
    options = passkeys.authentication_options(user)
    db.session.commit()
    return Response(options, mimetype="application/json")


@bp.post("/sign-in")
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _refused)
def sign_in() -> Response | tuple[Response, int]:
    user = _pending_or_login()
    if isinstance(user, Response):
        return user
    form = _json_form(EmptyForm)
    if not form.validate_on_submit():
        return _form_problem(form)
    outcome = factors.verify_factor(user, factors.PasskeyAnswer(_credential()))
    db.session.commit()  # a refusal counts towards the lock, and is audited
    if not outcome.ok:
        return _problem(outcome.problem or "Your passkey could not be checked. Try again.")
    done = pending.finish(user)
    return jsonify(next=done.location)
