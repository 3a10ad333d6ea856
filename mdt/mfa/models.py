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
