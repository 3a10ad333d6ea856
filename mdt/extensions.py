"""The app's shared services: the database session and the login manager.

CSRF is checked by every FlaskForm (every POST is a form), so a missing token shows in the
form's error summary with what the user typed kept; tests post to every route without one.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from flask_login import LoginManager
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from mdt.core.db import create_engine


@dataclass
class _DatabaseState:
    engine: Engine
    sessionmaker: sessionmaker[Session]


class Database:
    """One SQLAlchemy session per app context; views and jobs commit, operations flush."""

    def init_app(self, app: Flask) -> None:
        engine = create_engine(app.config["DATABASE_URL"], echo=app.config["DATABASE_ECHO"])
        app.extensions["mdt_db"] = _DatabaseState(engine, sessionmaker(engine))

    @staticmethod
    def state(app: Flask | None = None) -> _DatabaseState:
        return (app or current_app).extensions["mdt_db"]

    @property
    def engine(self) -> Engine:
        return self.state().engine

    @property
    def session(self) -> Session:
        if "db_session" not in g:
            g.db_session = self.state().sessionmaker()
        return g.db_session


db = Database()
login_manager = LoginManager()
