from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.accounts.models import User
from mdt.core.db import Base, UTCDateTime
from mdt.core.time import now_utc


class OidcIdentity(Base):
    """A provider's person, (issuer, subject), linked to one account. Linking is by this
    pair, never by email alone: the email only matters at the first sign-in, and the row
    records when that happened and which address matched (the link's audit)."""

    __tablename__ = "oidc_identity"
    __table_args__ = (
        sa.UniqueConstraint("issuer", "subject", name="uq_oidc_identity_issuer_subject"),
        sa.UniqueConstraint("user_id", "provider", name="uq_oidc_identity_user_provider"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    provider: Mapped[str] = mapped_column(sa.String(40))
    issuer: Mapped[str] = mapped_column(sa.String(300))
    subject: Mapped[str] = mapped_column(sa.String(255))
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    linked_email: Mapped[str] = mapped_column(sa.String(254))
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
