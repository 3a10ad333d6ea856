from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mdt.core.db import Base, UTCDateTime
from mdt.core.revisions import Revisioned
from mdt.core.time import now_utc
from mdt.organisations.models import Organisation


class ApiClient(Revisioned, Base):
    """A system registered to use the FHIR API on behalf of one organisation."""

    __tablename__ = "fhir_client"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The OAuth client_id: the `iss` and `sub` of its signed assertions. Random, not secret.
    client_id: Mapped[str] = mapped_column(sa.String(64), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    #: The public keys its assertions are signed with, as a JWKS document (JSON).
    jwks: Mapped[str] = mapped_column(sa.Text)
    #: The SMART v2 scopes it may be granted, separated by spaces.
    scopes: Mapped[str] = mapped_column(sa.String(1000))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)

    organisation: Mapped[Organisation] = relationship(lazy="joined")

    # --- what Authlib asks of a client (authlib.oauth2.rfc6749.ClientMixin) ---------------

    def get_client_id(self) -> str:
        return self.client_id

    def get_allowed_scope(self, scope: str) -> str:
        from mdt.fhir.scopes import allowed

        return allowed(self.scopes, scope)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        from mdt.fhir.tokens import ASSERTION_METHOD

        return endpoint == "token" and method == ASSERTION_METHOD

    def check_grant_type(self, grant_type: str) -> bool:
        return self.is_active and grant_type == "client_credentials"

    def get_default_redirect_uri(self) -> None:
        return None

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return False

    def check_response_type(self, response_type: str) -> bool:
        return False


class AccessToken(Base):
    """A bearer token issued to a client; only its SHA-256 is kept."""

    __tablename__ = "fhir_access_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(
        sa.ForeignKey("fhir_client.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    scope: Mapped[str] = mapped_column(sa.String(1000))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=now_utc)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    client: Mapped[ApiClient] = relationship(lazy="joined")


class UsedAssertion(Base):
    """A client assertion's `jti`, kept until the assertion expires: a replay is refused."""

    __tablename__ = "fhir_used_assertion"
    __table_args__ = (sa.UniqueConstraint("client_pk", "jti"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(sa.ForeignKey("fhir_client.id", ondelete="CASCADE"))
    jti: Mapped[str] = mapped_column(sa.String(255))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)


class Referral(Base):
    """A case added through the API, by the identifier the client gave its ServiceRequest:
    a retried conditional create (If-None-Exist) finds it instead of adding it twice."""

    __tablename__ = "fhir_referral"
    __table_args__ = (sa.UniqueConstraint("client_pk", "system", "value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    client_pk: Mapped[int] = mapped_column(sa.ForeignKey("fhir_client.id", ondelete="CASCADE"))
    system: Mapped[str] = mapped_column(sa.String(255), default="")
    value: Mapped[str] = mapped_column(sa.String(255))
    case_id: Mapped[int] = mapped_column(
        sa.ForeignKey("agenda_case.id", ondelete="CASCADE"), index=True
    )
