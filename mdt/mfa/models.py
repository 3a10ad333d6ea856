from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc


class TotpFactor(Base):
    """A person's authenticator app: the shared secret, and the last 30-second step a code
    was accepted for, so that no code (nor an earlier one) is accepted twice."""

    __tablename__ = "totp_factor"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), unique=True
    )
    #: Base32, as the authenticator app is given it.
    secret: Mapped[str] = mapped_column(sa.String(64))
    #: None while the person is setting it up (the first code they type confirms it).
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_step: Mapped[int | None] = mapped_column(sa.BigInteger)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)


class RecoveryCode(Base):
    """One of ten single-use codes for when the authenticator is lost; only a keyed hash
    is kept (the codes are random, so a keyed hash is as strong as argon2 and fast)."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Passkey(Base):
    """A passkey (a WebAuthn credential) a person registered as a second factor: the public
    key only; the private key never leaves their device."""

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: The credential's id, base64url (at most 1023 bytes by the standard).
    credential_id: Mapped[str] = mapped_column(sa.String(1400), unique=True)
    #: COSE-encoded, as the authenticator gave it.
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    #: The authenticator's signature counter at its last use: a later use must show a higher
    #: one (unless the authenticator keeps none and always says 0), or it may be a clone.
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    #: What the person called it ("Work laptop"), so they know which one to remove.
    name: Mapped[str] = mapped_column(sa.String(60))
    #: Comma-separated hints the browser gave ("internal,hybrid"), passed back at sign-in.
    transports: Mapped[str] = mapped_column(sa.String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PasskeyChallenge(Base):
    """A challenge handed to the browser for one registration or sign-in, kept here rather
    than in the (client-side, signed) cookie so that it is used once: the row is deleted
    when the answer comes, right or wrong, and a replayed cookie finds nothing."""

    __tablename__ = "passkey_challenge"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: "register" or "sign-in": a challenge for one is no use for the other.
    purpose: Mapped[str] = mapped_column(sa.String(12))
    #: base64url of the random bytes.
    challenge: Mapped[str] = mapped_column(sa.String(100))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
