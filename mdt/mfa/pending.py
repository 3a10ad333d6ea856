"""The state between a correct password and the second step: kept in the signed cookie
session, never a signed-in session, so no page that needs signing in is reachable until the
second step is done."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import session, url_for
from flask_login import login_user
from werkzeug.utils import redirect
from werkzeug.wrappers import Response

from mdt.accounts import operations as accounts
from mdt.accounts.models import User
from mdt.core.redirects import safe_next_path
from mdt.core.time import now_utc
from mdt.extensions import db

KEY = "mfa_pending"
#: A password typed longer ago than this must be typed again.
PENDING_FOR = timedelta(minutes=5)


def begin(user: User, next_path: str | None, *, enrol: bool) -> Response:
    session.clear()  # nothing from before signing in carries over
    session[KEY] = {
        "user_id": user.id,
        "since": now_utc().isoformat(),
        "next": safe_next_path(next_path, url_for("dashboard.index")),
    }
    return redirect(url_for("mfa.setup" if enrol else "mfa.verify"))


def pending_user() -> User | None:
    state = session.get(KEY)
    if not isinstance(state, dict):
        return None
    try:
        since = datetime.fromisoformat(state["since"])
    except (KeyError, TypeError, ValueError):
        return None
    if since + PENDING_FOR <= now_utc():
        session.pop(KEY, None)
        return None
    user = db.session.get(User, state.get("user_id"))
    if user is None or not user.is_active:
        return None
    return user


def finish(user: User) -> Response:
    """The second step is done: a real session starts."""
    next_path = safe_next_path(session.get(KEY, {}).get("next"), url_for("dashboard.index"))
    session.clear()
    accounts.start_session(user)
    db.session.commit()
    login_user(user)
    return redirect(next_path)
