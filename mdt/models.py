"""Imports every feature's models so the metadata (and Alembic) sees all tables."""

from mdt.accounts.models import LoginAttempt, PasswordLink, User, UserSession
from mdt.availability.models import Commitment
from mdt.core.db import Base
from mdt.mail.models import OutboxMessage
from mdt.meetings.models import Invitation, Meeting
from mdt.organisations.models import Organisation
from mdt.slots.models import SlotException, SlotSeries
from mdt.teams.models import Membership, Team

__all__ = [
    "Base",
    "Commitment",
    "Invitation",
    "Meeting",
    "SlotException",
    "SlotSeries",
    "LoginAttempt",
    "Membership",
    "Organisation",
    "OutboxMessage",
    "PasswordLink",
    "Team",
    "User",
    "UserSession",
]
