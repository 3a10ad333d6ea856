"""The second step of signing in, setting up an authenticator app, and removing it."""

from __future__ import annotations

import math

import segno
from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from mdt.accounts import operations as accounts
from mdt.accounts.models import User
from mdt.accounts.passwords import verify_password
from mdt.core.throttle import limit_refusals
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mfa import operations as ops
from mdt.mfa import pending
from mdt.mfa.forms import CodeForm, ConfirmAppForm, ConfirmAppSignedInForm, RemoveFactorForm

bp = Blueprint("mfa", __name__, url_prefix="/second-factor")

WRONG_CODE = "The code is wrong or has already been used"
WRONG_PASSWORD = "The password is wrong"
TIMED_OUT = "Signing in took too long. Enter your email address and password again."


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


@bp.route("/verify", methods=["GET", "POST"])
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _failed, methods=["POST"])
def verify() -> str | Response:
    user = pending.pending_user()
    if user is None:
        flash(TIMED_OUT)
        return redirect(url_for("accounts.login"))
    if not ops.has_second_factor(user):
        return redirect(url_for("mfa.setup"))
    form = CodeForm()
    problem = None
    if form.validate_on_submit():
        problem = _locked_message(user)
        if problem is None:
            ok = ops.verify_second_factor(user, form.code.data)
            db.session.commit()
            if ok:
                return pending.finish(user)
            form.code.errors.append(WRONG_CODE)
    form.code.data = ""  # a used or wrong code is no use typed again
    return render_template(
        "mfa/verify.html", form=form, problem=problem, title="Enter your security code"
    )


def _qr_svg(uri: str) -> Markup:
    # segno writes the whole SVG itself from the URI (which it encodes, not embeds as text).
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#212b32"))  # noqa: S704


@bp.route("/setup", methods=["GET", "POST"])
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _failed, methods=["POST"])
def setup() -> str | Response:
    signed_in = current_user.is_authenticated
    user: User | None = current_user if signed_in else pending.pending_user()  # type: ignore[assignment]
    if user is None:
        flash(TIMED_OUT)
        return redirect(url_for("accounts.login"))
    if ops.has_second_factor(user):
        return redirect(url_for("mfa.manage" if signed_in else "mfa.verify"))
    factor = ops.begin_totp(user)
    db.session.commit()
    form = ConfirmAppSignedInForm() if signed_in else ConfirmAppForm()
    if form.validate_on_submit():
        if signed_in and not verify_password(user.password_hash, form.password.data):
            form.password.errors.append(WRONG_PASSWORD)
        else:
            codes = ops.confirm_totp(user, factor, form.code.data)
            if codes is None:
                form.code.errors.append(WRONG_CODE)
            else:
                db.session.commit()
                if not signed_in:
                    pending.finish(user)
                return render_template(
                    "mfa/recovery_codes.html", codes=codes, title="Your recovery codes"
                )
    form.code.data = ""
    return render_template(
        "mfa/setup.html",
        form=form,
        secret=factor.secret,
        qr=_qr_svg(ops.provisioning_uri(user, factor)),
        required=not signed_in,
        title="Set up an authenticator app",
    )


@bp.get("")
@login_required
def manage() -> str:
    user: User = current_user  # type: ignore[assignment]
    on = ops.has_second_factor(user)
    return render_template(
        "mfa/manage.html",
        on=on,
        required=ops.second_factor_required(user),
        codes_left=ops.recovery_codes_left(user) if on else 0,
        form=RemoveFactorForm(formdata=None),
        title="Second factor",
    )


@bp.post("/remove")
@login_required
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _failed)
def remove() -> str | Response:
    """Asks for the password and a code again: someone at an unlocked screen cannot take
    the factor off."""
    user: User = current_user  # type: ignore[assignment]
    if not ops.has_second_factor(user):
        abort(404)
    form = RemoveFactorForm()
    problem = None
    if form.validate_on_submit():
        problem = _locked_message(user)
        if problem is None and not verify_password(user.password_hash, form.password.data):
            form.password.errors.append(WRONG_PASSWORD)
        elif problem is None and not ops.verify_second_factor(user, form.code.data):
            db.session.commit()  # the failed attempt counts towards the lock
            form.code.errors.append(WRONG_CODE)
        elif problem is None:
            ops.remove_totp(user)
            if form.end_other_sessions.data:
                ops.end_other_sessions(user, user.get_id())
            db.session.commit()
            flash("Your authenticator app is removed.")
            return redirect(url_for("mfa.manage"))
    form.code.data = ""
    return render_template(
        "mfa/manage.html",
        on=True,
        required=ops.second_factor_required(user),
        codes_left=ops.recovery_codes_left(user),
        form=form,
        problem=problem,
        title="Second factor",
    )
