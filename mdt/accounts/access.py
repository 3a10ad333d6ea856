"""Who may do what, in one place: the loaders views use to fetch and check in one step."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from mdt.accounts.models import User

F = TypeVar("F", bound=Callable[..., Any])


def admin_required(view: F) -> F:
    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def signed_in_user() -> User:
    """The person signed in, typed: for views behind `login_required` (Flask-Login's
    `current_user` is a proxy the type checker cannot see through)."""
    user = current_user._get_current_object()  # type: ignore[attr-defined]
    if not isinstance(user, User):
        abort(401)
    return user
