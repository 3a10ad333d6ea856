"""The second step of signing in, setting up an authenticator app, and removing it."""

from __future__ import annotations

from email.message import EmailMessage

import segno
from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from mdt.accounts import operations as accounts
from mdt.accounts.access import signed_in_user
from mdt.accounts.models import User
from mdt.accounts.recent import confirmation_needed, recent_authentication_required
from mdt.core.forms import EmptyForm
from mdt.core.throttle import limit_refusals
from mdt.extensions import db
from mdt.mail import outbox
from mdt.mfa import factors, pages, pending
from mdt.mfa import operations as ops
from mdt.mfa.access import person_whose_factor_may_be_reset
from mdt.mfa.forms import (
    CodeForm,
    ConfirmAppForm,
    ConfirmAppSignedInForm,
    RemoveFactorForm,
    ResetFactorForm,
)
from mdt.mfa.models import TotpFactor
from mdt.mfa.passkey_views import bp as passkeys_bp

bp = Blueprint("mfa", __name__, url_prefix="/second-factor")
# Passkeys' routes are the second factor's too (mfa.passkeys.*, under /second-factor/passkeys).
bp.register_blueprint(passkeys_bp)

WRONG_CODE = "The code is wrong or has already been used"
EXPIRED = "Nothing was changed: the form had expired. Try again."
TIMED_OUT = "Signing in took too long. Enter your email address and password again."


def _failed(response: Response) -> bool:
    return response.status_code == 200


@bp.route("/verify", methods=["GET", "POST"])
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _failed, methods=["POST"])
def verify() -> str | Response:
    user = pending.pending_user()
    if user is None:
        return _timed_out()
    has = factors.factors_of(user)
    if not has.any:
        return redirect(url_for("mfa.setup"))
    form = CodeForm()
    problem = None
    if form.validate_on_submit():
        outcome = factors.verify_factor(user, factors.Code(form.code.data))
        db.session.commit()
        if outcome.ok:
            return pending.finish(user)
        problem = _code_refused(form, outcome.problem)
    form.code.data = ""  # a used or wrong code is no use typed again
    return _verify_page(form, problem, has)


def _timed_out() -> Response:
    flash(TIMED_OUT)
    return redirect(url_for("accounts.login"))


def _code_refused(form: CodeForm, problem: str | None) -> str | None:
    """A wrong code is the field's error; anything else is the page's problem."""
    if problem == factors.WRONG_CODE:
        form.code.errors.append(WRONG_CODE)
        return None
    return problem


def _verify_page(form: CodeForm, problem: str | None, has: factors.Factors) -> str:
    return render_template(
        "mfa/verify.html",
        form=form,
        problem=problem,
        factors=has,
        passkey_form=EmptyForm(formdata=None),
        title="Enter your security code" if has.totp else "Use your passkey",
    )


def _qr_svg(uri: str) -> Markup:
    # segno writes the whole SVG itself from the URI (which it encodes, not embeds as text).
    return Markup(segno.make(uri, error="m").svg_inline(scale=5, dark="#212b32"))  # noqa: S704


@bp.route("/setup", methods=["GET", "POST"])
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _failed, methods=["POST"])
def setup() -> str | Response | tuple[str, int]:
    """Setting up an app: right after the password for whoever must have one and has none
    (the pending state: never for someone who has one), or signed in and recently
    confirmed."""
    signed_in = current_user.is_authenticated
    user: User | None = signed_in_user() if signed_in else pending.pending_user()
    if user is None:
        return _timed_out()
    if (elsewhere := _setup_elsewhere(user, signed_in)) is not None:
        return elsewhere
    factor = ops.begin_totp(user)
    db.session.commit()
    form = ConfirmAppSignedInForm() if signed_in else ConfirmAppForm()
    if form.validate_on_submit():
        codes = ops.confirm_totp(user, factor, form.code.data)
        if codes is not None:
            end_others = isinstance(form, ConfirmAppSignedInForm) and form.end_other_sessions.data
            return _app_confirmed(user, codes, signed_in=signed_in, end_others=end_others)
        form.code.errors.append(WRONG_CODE)
    form.code.data = ""
    return _setup_page(form, user, factor, required=not signed_in)


def _setup_page(form: ConfirmAppForm, user: User, factor: TotpFactor, *, required: bool) -> str:
    return render_template(
        "mfa/setup.html",
        form=form,
        secret=factor.secret,
        qr=_qr_svg(ops.provisioning_uri(user, factor)),
        required=required,
        title="Set up an authenticator app",
    )


def _setup_elsewhere(user: User, signed_in: bool) -> Response | tuple[str, int] | None:
    """Where to go instead of setting up an app here, if anywhere."""
    # Signed in, someone with passkeys may add an app too; pending, any factor will do.
    if ops.confirmed_totp(user) or (not signed_in and ops.has_second_factor(user)):
        return redirect(url_for("mfa.manage" if signed_in else "mfa.verify"))
    return confirmation_needed() if signed_in else None


def _app_confirmed(user: User, codes: list[str], *, signed_in: bool, end_others: bool) -> str:
    if end_others:
        accounts.end_other_sessions(user, user.get_id())
    db.session.commit()
    if not signed_in:
        pending.finish(user)
    return _recovery_codes_page(codes)


def _recovery_codes_page(codes: list[str]) -> str:
    return render_template("mfa/recovery_codes.html", codes=codes, title="Your recovery codes")


@bp.get("")
@login_required
def manage() -> str:
    """The security settings page: the second factors, and signing out elsewhere."""
    return pages.manage(signed_in_user())


@bp.post("/remove")
@recent_authentication_required
def remove() -> str | Response:
    """Someone at an unlocked screen cannot take the factor off: it needs the password and a
    code within the last few minutes (mdt.reauth)."""
    user: User = signed_in_user()
    if ops.confirmed_totp(user) is None:
        abort(404)
    form = RemoveFactorForm()
    if not form.validate_on_submit():
        flash(EXPIRED)
        return redirect(url_for("mfa.manage"))
    problem = factors.removal_problem(user)
    if problem is not None:
        return pages.manage(user, remove_form=form, problem=problem)
    ops.remove_own_totp(user)
    if form.end_other_sessions.data:
        accounts.end_other_sessions(user, user.get_id())
    db.session.commit()
    flash("Your authenticator app is removed.")
    return redirect(url_for("mfa.manage"))


@bp.post("/recovery-codes")
@recent_authentication_required
def recovery_codes() -> str | Response:
    """Ten new recovery codes; the old ones stop working."""
    user: User = signed_in_user()
    if ops.confirmed_totp(user) is None:  # recovery codes go with the app
        abort(404)
    if not EmptyForm().validate_on_submit():
        flash(EXPIRED)
        return redirect(url_for("mfa.manage"))
    codes = ops.replace_recovery_codes(user)
    db.session.commit()
    return _recovery_codes_page(codes)


@bp.route("/people/<int:user_id>/reset", methods=["GET", "POST"])
@login_required
def reset(user_id: int) -> str | Response:
    """An administrator of the person's organisation removes their lost factor. Like issuing
    a password link, an act on someone else's account: no "Confirm it's you", so that an
    administrator signed in through a provider can do it too."""
    person = person_whose_factor_may_be_reset(user_id)
    form = ResetFactorForm()
    if form.validate_on_submit():
        ops.reset_for_person(person, signed_in_user(), form.reason.data)
        outbox.enqueue(_reset_email(person))
        db.session.commit()
        flash(
            f"{person.name}'s second factor is reset: they set up a new one when they next sign in."
        )
        return redirect(url_for("accounts.edit_user", user_id=person.id))
    return render_template(
        "mfa/reset.html",
        form=form,
        person=person,
        on=ops.has_second_factor(person),
        title="Reset second factor",
    )


def _reset_email(person: User) -> EmailMessage:
    service = current_app.config["SERVICE_NAME"]
    text = render_template("mfa/email/reset.txt", person=person, service=service)
    return outbox.compose([person.email], f"Your second factor for {service} was reset", text)
