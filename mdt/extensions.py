"""The app's shared services: the database session (kept in `mdt.core.database`, so that core
needs nothing above it) and the login manager.

CSRF is checked by every FlaskForm (every POST is a form), so a missing token shows in the
form's error summary with what the user typed kept; tests post to every route without one.
"""

from __future__ import annotations

from flask_login import LoginManager

from mdt.core.database import Database, db

__all__ = ["Database", "db", "login_manager"]

login_manager = LoginManager()
