from __future__ import annotations

import math
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.wrappers import Response

from mdt.accounts import operations as ops
from mdt.accounts.access import admin_required, signed_in_user
from mdt.accounts.models import User
from mdt.accounts.passwords import context_words
from mdt.accounts.recent import recent_authentication_required
from mdt.core.redirects import safe_next_path
from mdt.core.revisions import CONFLICT, EXPIRED, save
from mdt.core.throttle import limit_refusals
from mdt.core.time import now_utc
from mdt.core.web import external_url
from mdt.extensions import db, login_manager
from mdt.mail import outbox
from mdt.mfa import operations as mfa
from mdt.mfa import pending
from mdt.organisations.models import Organisation
from mdt.people import operations as people
from mdt.people.forms import (
    ChangeEmailForm,
    ChangePasswordForm,
    ContactDetailsForm,
    LoginForm,
    NewPasswordForm,
    PasswordLinkForm,
    UserForm,
)

bp = Blueprint("accounts", __name__)


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Sign in to see that page."
    login_manager.session_protection = None  # sessions are server-side rows; see User.get_id
    login_manager.user_loader(_signed_in_user)
    login_manager.unauthorized_handler(_to_login)
    app.before_request(_load_signed_in_user)
    app.register_blueprint(bp)


def _load_signed_in_user() -> None:
    """Find who is signed in before anything else the request does, so that the session's
    last-seen time (which the loader may move on) is committed alone, with nothing of the
    page's own work pending."""
    current_user._get_current_object()  # type: ignore[attr-defined]


def _signed_in_user(token: str) -> User | None:
    user = ops.user_for_session(token)
    if db.session.dirty:  # last_seen_at moved on (at most once a minute)
        _commit_keeping_loaded()
    return user


def _commit_keeping_loaded() -> None:
    # The person and the session were read a moment ago in this transaction: committing
    # without expiring them saves reading them again on the page's first use.
    session = db.session
    expire_on_commit, session.expire_on_commit = session.expire_on_commit, False
    try:
        session.commit()
    finally:
        session.expire_on_commit = expire_on_commit


def _to_login() -> Response:
    """Signed out (or the session expired) on the way to a page: sign in, then back to it.
    A form posted after the session expired cannot be replayed through a redirect, so the
    person returns to the page the form was on, where the browser has kept what they typed
    (static/app.js keeps drafts of forms marked data-draft until they are saved)."""
    flash(login_manager.login_message)
    if request.method == "GET":
        back = request.full_path.rstrip("?")
    else:
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        back = f"{referrer.path}?{referrer.query}".rstrip("?") if same_site else ""
        flash("Your session had ended, so that was not saved yet: sign in and save it again.")
    next_path = safe_next_path(back, url_for("dashboard.index"))
    return redirect(url_for("accounts.login", next=next_path))


def _failed(response: Response) -> bool:
    """A sign-in that did not sign in: the form again (wrong password, cooling off, a
    problem with what was typed)."""
    return response.status_code == 200


def _not_found(response: Response) -> bool:
    return response.status_code == 404


@bp.route("/login", methods=["GET", "POST"])
@limit_refusals("SECURITY_RATE_LIMIT_SIGN_IN", _failed, methods=["POST"])
def login() -> str | Response:
    if current_user.is_authenticated:
        return redirect(url_for("dashboard.index"))
    form = LoginForm()
    problem = None
    if form.validate_on_submit():
        result = ops.authenticate(form.email.data, form.password.data)
        db.session.commit()
        problem = _refusal(result)
        if problem is None and result.user is not None:
            return _sign_in(result.user)
    return render_template("accounts/login.html", form=form, problem=problem, title="Sign in")


def _refusal(result: ops.LoginResult) -> str | None:
    """Why this attempt does not sign in with a password, in words; None if it may."""
    if result.locked_until is not None:
        return (
            "Too many failed attempts to sign in to this account. Wait "
            f"{_minutes_until(result.locked_until)} and try again."
        )
    if result.user is None:
        return "The email address or password is wrong"
    if result.user.organisation.require_oidc:
        return (
            f"{result.user.organisation.name} signs its people in with their "
            "organisation's account, not a password: use the button below."
        )
    return None


def _sign_in(user: User) -> Response:
    if mfa.needs_second_step(user):
        # Not signed in yet: the second step (or setting one up) comes first.
        enrol = not mfa.has_second_factor(user)
        return pending.begin(user, request.args.get("next"), enrol=enrol)
    session.clear()  # a fresh session: nothing from before signing in carries over
    ops.start_session(user)
    db.session.commit()
    login_user(user)
    return redirect(safe_next_path(request.args.get("next"), url_for("dashboard.index")))


def _minutes_until(moment: datetime) -> str:
    minutes = max(1, math.ceil((moment - now_utc()).total_seconds() / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


@bp.post("/logout")
def logout() -> Response:
    # No CSRF check: being signed out by a forged request is harmless, and a person whose
    # form token expired must still be able to sign out.
    if current_user.is_authenticated:
        ops.end_session(current_user.get_id())
        db.session.commit()
    logout_user()
    session.clear()
    flash("You have signed out.")
    return redirect(url_for("accounts.login"))


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile() -> str | Response:
    user = signed_in_user()
    form = ContactDetailsForm(obj=user)
    conflict = None
    if form.validate_on_submit():
        if saved := save(
            lambda: people.save_own_details(user, form.revision.data, **form.values()),
            saved="Your contact details are saved.",
            then=url_for("accounts.profile"),
        ):
            return saved
        conflict = CONFLICT
    return render_template(
        "accounts/profile.html", form=form, conflict=conflict, user=user, title="Your details"
    )


@bp.route("/profile/password", methods=["GET", "POST"])
@recent_authentication_required
def change_password() -> str | Response:
    user: User = signed_in_user()
    service = current_app.config["SERVICE_NAME"]
    form = ChangePasswordForm(personal=context_words(user.name, user.email, service))
    if form.validate_on_submit():
        ops.change_password(user, form.password.data)
        if form.end_other_sessions.data:
            ops.end_other_sessions(user, user.get_id())
        db.session.commit()
        flash("Your password is changed.")
        return redirect(url_for("mfa.manage"))
    return render_template("accounts/change_password.html", form=form, title="Change your password")


@bp.route("/profile/email", methods=["GET", "POST"])
@recent_authentication_required
def change_email() -> str | Response:
    user: User = signed_in_user()
    form = ChangeEmailForm()
    if form.validate_on_submit() and _email_free(form, user):
        old_address = user.email
        ops.change_email(user, form.email.data)
        if form.end_other_sessions.data:
            ops.end_other_sessions(user, user.get_id())
        outbox.enqueue(_email_changed_email(user, old_address))
        db.session.commit()
        flash("Your email address is changed. Sign in with the new one from now on.")
        return redirect(url_for("mfa.manage"))
    return render_template(
        "accounts/change_email.html", form=form, user=user, title="Change your email address"
    )


def _email_changed_email(user: User, old_address: str) -> EmailMessage:
    """To the old address: if someone else changed it, the owner hears of it there."""
    service = current_app.config["SERVICE_NAME"]
    text = render_template("accounts/email/email_changed.txt", user=user, service=service)
    return outbox.compose([old_address], f"Your email address for {service} was changed", text)


@bp.route("/password/<token>", methods=["GET", "POST"])
@limit_refusals("SECURITY_RATE_LIMIT_PASSWORD_LINK", _not_found)
def set_password(token: str) -> str | Response:
    link = ops.valid_password_link(token)
    if link is None:
        return render_template("accounts/link_invalid.html", title="Link not valid"), 404  # type: ignore[return-value]
    person = link.user
    service = current_app.config["SERVICE_NAME"]
    form = NewPasswordForm(personal=context_words(person.name, person.email, service))
    if form.validate_on_submit():
        ops.set_password_with_link(link, form.password.data)
        db.session.commit()
        logout_user()
        session.clear()
        flash("Your password is set. Sign in with it now.")
        return redirect(url_for("accounts.login"))
    return render_template(
        "accounts/set_password.html", form=form, person=link.user, title="Set your password"
    )


# --- administration of people ---------------------------------------------------------------


def _organisation_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(sa.select(Organisation.id, Organisation.name).order_by("name"))
    return [(row.id, row.name) for row in rows]


@bp.get("/users")
@admin_required
def users() -> str:
    people = db.session.scalars(sa.select(User).order_by(User.name)).all()
    return render_template("accounts/users.html", people=people, title="Users")


@bp.route("/users/new", methods=["GET", "POST"])
@admin_required
def new_user() -> str | Response:
    form = UserForm(organisations=_organisation_choices())
    if form.validate_on_submit() and _email_free(form):
        user = ops.create_user(**form.values())
        db.session.commit()
        flash(f"{user.name} is added. Give them a password-set link so they can sign in.")
        return redirect(url_for("accounts.edit_user", user_id=user.id))
    return render_template("accounts/user_form.html", form=form, person=None, title="Add a user")


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def edit_user(user_id: int) -> str | Response:
    person = db.session.get(User, user_id) or abort(404)
    form = UserForm(obj=person, organisations=_organisation_choices())
    conflict = None
    if form.validate_on_submit() and _email_free(form, person):
        fields = form.values()
        if saved := save(
            lambda: people.save_person(person, form.revision.data, **fields),
            saved=f"{fields['name']}'s details are saved.",
            then=url_for("accounts.edit_user", user_id=person.id),
        ):
            return saved
        conflict = CONFLICT
    return render_template(
        "accounts/user_form.html",
        form=form,
        person=person,
        conflict=conflict,
        link_form=PasswordLinkForm(formdata=None),
        title=person.name,
    )


def _email_free(form: ChangeEmailForm | UserForm, user: User | None = None) -> bool:
    if ops.email_taken(form.email.data, except_user=user):
        form.email.errors.append("Someone already uses this email address")
        return False
    return True


@bp.post("/users/<int:user_id>/password-link")
@admin_required
def password_link(user_id: int) -> str | Response:
    person = db.session.get(User, user_id) or abort(404)
    form = PasswordLinkForm()
    if not form.validate_on_submit():
        flash(EXPIRED)
        return redirect(url_for("accounts.edit_user", user_id=person.id))
    token = ops.issue_password_link(person, signed_in_user())
    url = external_url("accounts.set_password", token=token)
    if form.send_email.data:
        outbox.enqueue(_password_link_email(person, url))
    db.session.commit()
    return render_template(
        "accounts/password_link.html",
        person=person,
        url=url,
        emailed=form.send_email.data,
        title="Password-set link",
    )


def _password_link_email(person: User, url: str) -> EmailMessage:
    service = current_app.config["SERVICE_NAME"]
    text = render_template(
        "accounts/email/password_link.txt", person=person, url=url, service=service
    )
    return outbox.compose([person.email], f"Set your password for {service}", text)
