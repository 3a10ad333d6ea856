"""Imports every feature's models so the metadata (and Alembic) sees all tables."""

from mdt.accounts.models import LoginAttempt, PasswordLink, User, UserSession
from mdt.core.db import Base
from mdt.mail.models import OutboxMessage
from mdt.organisations.models import Organisation
from mdt.teams.models import Membership, Team

__all__ = [
    "Base",
    "LoginAttempt",
    "Membership",
    "Organisation",
    "OutboxMessage",
    "PasswordLink",
    "Team",
    "User",
    "UserSession",
]
