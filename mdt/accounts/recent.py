"""Re-authentication (ASVS 7.5.1): changing a password, a second factor or an email address
needs the person to have proved who they are within the last [security] reauth_minutes in
this session. The time is the session row's authenticated_at, kept server-side: signing in
sets it, and so does the "Confirm it's you" page (mdt.reauth.views). The guards live in
accounts, below every feature whose pages they protect (mfa, oidc, reauth, people)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from mdt.accounts.models import UserSession
from mdt.core.redirects import safe_next_path
from mdt.core.time import now_utc
from mdt.core.tokens import token_hash
from mdt.extensions import db

F = TypeVar("F", bound=Callable[..., Any])

CONFIRM_FIRST = "Confirm it's you before changing how you sign in."
NOT_SAVED_YET = "Nothing was changed yet: confirm it's you, then save it again."


def current_session(token: str | None) -> UserSession | None:
    """The session row for this token, open or not."""
    if not token:
        return None
    return db.session.scalars(
        sa.select(UserSession).where(UserSession.token_hash == token_hash(token))
    ).one_or_none()


def signed_in_session() -> UserSession | None:
    return current_session(current_user.get_id()) if current_user.is_authenticated else None


def confirmable_here(record: UserSession) -> bool:
    """Only with a password of this service's own: not in a session from an identity
    provider, nor for someone who has no password here (signed in through a provider and
    then this service's own second step)."""
    return record.oidc_provider is None and record.user.password_hash is not None


def authenticated_recently(record: UserSession) -> bool:
    window = timedelta(minutes=current_app.config["SECURITY_REAUTH_MINUTES"])
    return record.authenticated_at is not None and now_utc() - record.authenticated_at < window


def confirmation_needed() -> Response | tuple[str, int] | None:
    """None when this session may change how the person signs in now; otherwise the answer
    to give instead: the "Confirm it's you" page, or for a session from an identity
    provider, a page saying why not here."""
    record = signed_in_session()
    if record is None:  # signed out between the loader and here
        return redirect(url_for("accounts.login"))
    if not confirmable_here(record):
        page = render_template("reauth/provider_session.html", title="Sign in with a password")
        return page, 403
    if authenticated_recently(record):
        return None
    if request.method == "GET":
        flash(CONFIRM_FIRST)
        back = request.full_path.rstrip("?")
    else:
        # A posted form cannot be replayed through a redirect: back to the page it was on,
        # where the browser has kept what was typed (static/app.js, forms with data-draft).
        flash(NOT_SAVED_YET)
        referrer = urlsplit(request.referrer or "")
        same_site = referrer.netloc == request.host
        back = f"{referrer.path}?{referrer.query}".rstrip("?") if same_site else ""
    next_path = safe_next_path(back, url_for("accounts.profile"))
    return redirect(url_for("reauth.confirm", next=next_path))


def recent_authentication_required(view: F) -> F:
    """For views that change how the person signs in: signed in, and recently confirmed."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return confirmation_needed() or view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]
