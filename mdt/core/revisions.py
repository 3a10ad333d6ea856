"""Refusing a stale edit: a record's revision, the check, and the saving view's one pattern.

Every editable record carries a revision. A form posts the revision it was drawn from; if
someone saved in between, the save is refused (`Conflict`) and the page shows their version
with what the user typed still in the form, never overwriting either.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import flash, redirect
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.wrappers import Response

from mdt.core.database import db

EXPIRED = "Nothing was changed: the form had expired. Try again."
CONFLICT = (
    "Someone else changed these details while you were editing them, so your changes were "
    "not saved. Their version is shown below with what you typed still in the form: check "
    "it and save again."
)


class Conflict(Exception):
    """Someone else saved a newer version first."""


class Revisioned:
    """A mapped class whose rows are edited through forms that post the revision they show."""

    revision: Mapped[int] = mapped_column(default=1)

    def check(self, posted: int | None) -> None:
        """Refuses a save drawn from an older revision; `None` means no form was involved."""
        if posted is not None and posted != self.revision:
            raise Conflict()

    def bump(self) -> None:
        """Marks a saved change, so that forms drawn before it are refused."""
        self.revision += 1


def save(write: Callable[[], object], *, saved: str, then: str) -> Response | None:
    """Runs `write` (an operation that flushes); if it saved, commits, flashes `saved` and
    returns the redirect to `then`. On a conflict nothing is committed and None comes back:
    the view shows the page again with `CONFLICT`."""
    try:
        write()
    except Conflict:
        return None
    db.session.commit()
    flash(saved)
    return redirect(then)
