"""Imports every feature's models so the metadata (and Alembic) sees all tables."""

from mdt.accounts.models import LoginAttempt, PasswordLink, SecurityEvent, User, UserSession
from mdt.actions.models import ActionChange, ActionPoint
from mdt.agenda.models import Case
from mdt.audit.models import AuditChainHead, AuditEvent, AuditVerification
from mdt.availability.models import Commitment
from mdt.backup.models import RestoreRecord
from mdt.calendar.models import CalendarFeed, CalendarIdentity, CalendarPreference, FeedClock
from mdt.core.db import Base
from mdt.directory.models import PersonCheck, Service
from mdt.fhir.models import AccessToken, ApiClient, Referral, UsedAssertion
from mdt.mail.models import OutboxMessage
from mdt.meetings.models import Invitation, Meeting
from mdt.mfa.models import Passkey, PasskeyChallenge, RecoveryCode, TotpFactor
from mdt.minutes.models import Discussion
from mdt.oidc.models import OidcIdentity
from mdt.organisations.models import Organisation
from mdt.patients.models import Patient
from mdt.prep.models import PrepRequest
from mdt.reminders.models import (
    Reminder,
    ReminderDigest,
    ReminderPreference,
    SchedulerHeartbeat,
)
from mdt.retention.models import DisposedOutcome, DisposedPrep, LegalHold
from mdt.slots.models import SlotException, SlotSeries
from mdt.teams.models import Membership, Team

__all__ = [
    "SecurityEvent",
    "AccessToken",
    "ApiClient",
    "Referral",
    "UsedAssertion",
    "ActionChange",
    "ActionPoint",
    "Discussion",
    "DisposedOutcome",
    "DisposedPrep",
    "LegalHold",
    "FeedClock",
    "AuditChainHead",
    "AuditEvent",
    "AuditVerification",
    "RestoreRecord",
    "Base",
    "CalendarFeed",
    "CalendarIdentity",
    "CalendarPreference",
    "Case",
    "Commitment",
    "Invitation",
    "Meeting",
    "SlotException",
    "SlotSeries",
    "LoginAttempt",
    "Membership",
    "Organisation",
    "OutboxMessage",
    "Passkey",
    "PasskeyChallenge",
    "RecoveryCode",
    "TotpFactor",
    "PasswordLink",
    "PersonCheck",
    "Patient",
    "PrepRequest",
    "Reminder",
    "ReminderDigest",
    "ReminderPreference",
    "SchedulerHeartbeat",
    "OidcIdentity",
    "Service",
    "Team",
    "User",
    "UserSession",
]
