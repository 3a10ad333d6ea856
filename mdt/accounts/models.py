from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, ClassVar

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.core.db import Base, UTCDateTime
from mdt.core.revisions import Revisioned
from mdt.core.time import now_utc

if TYPE_CHECKING:
    from mdt.organisations.models import Organisation
    from mdt.teams.models import Membership


class User(Revisioned, Base):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    #: As the person typed it; uniqueness is on email_key.
    email: Mapped[str] = mapped_column(sa.String(254))
    #: The address lower-cased, so two spellings of one address cannot both register.
    email_key: Mapped[str] = mapped_column(sa.String(254), unique=True)
    profession: Mapped[str] = mapped_column(sa.String(80))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    #: Free text such as "mobile between visits; not Fridays".
    how_to_reach: Mapped[str] = mapped_column(sa.String(500), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: argon2 hash; None until the person sets a password through a one-time link.
    password_hash: Mapped[str | None] = mapped_column(sa.String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", foreign_keys="Membership.user_id"
    )

    #: Set by the login loader: the token of the session this request runs under.
    session_token: ClassVar[str | None] = None

    # Flask-Login's user protocol. The id it stores is a per-login session token, not the
    # user's key, so logging out (which revokes the token) makes an old cookie worthless.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str | None:
        return self.session_token

    def administers(self, organisation_id: int) -> bool:
        """An administrator who belongs to the organisation: who may set how its people
        sign in and reset their second factors."""
        return self.is_admin and self.organisation_id == organisation_id

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class UserSession(Base):
    """One signed-in browser. The cookie holds the token; the database holds its hash."""

    __tablename__ = "user_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: The last request under this session, to within a minute (it is written at most once
    #: a minute): no request for [security] idle_minutes ends the session.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: When the person last proved who they are in this browser: signing in (password and
    #: second factor, or a provider), or "Confirm it's you" since. Changing a password, a
    #: factor or the email address needs this within [security] reauth_minutes. None (a
    #: session from before it was kept) counts as long ago.
    authenticated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=now_utc)
    #: Signed in through this OpenID Connect provider ([[oidc.providers]] name); None: password.
    oidc_provider: Mapped[str | None] = mapped_column(sa.String(40))
    #: The ID token's assurance level (acr), its session id (sid, for back-channel logout)
    #: and subject.
    oidc_acr: Mapped[str | None] = mapped_column(sa.String(200))
    oidc_sid: Mapped[str | None] = mapped_column(sa.String(255))
    oidc_subject: Mapped[str | None] = mapped_column(sa.String(255))
    #: CIS2: the selected role's organisation (ODS code) and role code.
    role_ods_code: Mapped[str | None] = mapped_column(sa.String(12))
    role_code: Mapped[str | None] = mapped_column(sa.String(40))
    #: The provider said (amr or acr) that this sign-in used more than one factor.
    provider_asserted_mfa: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    user: Mapped[User] = relationship(lazy="joined")


class LoginAttempt(Base):
    """Every sign-in attempt by account, for throttling repeated failures."""

    __tablename__ = "login_attempt"
    __table_args__ = (sa.Index("ix_login_attempt_email_key_at", "email_key", "attempted_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email_key: Mapped[str] = mapped_column(sa.String(254))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    succeeded: Mapped[bool]


class PasswordLink(Base):
    """A one-time link an administrator issues so a person can set their password."""

    __tablename__ = "password_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class SecurityEvent(Base):
    """A change to how someone signs in that another person made or that must be
    answerable later: an administrator resetting a person's second factor (with the
    reason), an organisation's sign-in settings. Append-only; names no patient."""

    __tablename__ = "security_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    #: Who did it (None once their account is gone).
    actor_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    #: Whose sign-in it changed, when it was one person's.
    user_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisation.id", ondelete="SET NULL")
    )
    #: e.g. "second factor reset", "identity settings".
    action: Mapped[str] = mapped_column(sa.String(40))
    #: The reason given, or what the settings became.
    detail: Mapped[str] = mapped_column(sa.String(500), default="")
