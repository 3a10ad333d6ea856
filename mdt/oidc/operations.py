"""What a verified ID token lets happen: find or link the account, start its session, and
end sessions when the provider says the person signed out. Writes only flush."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from mdt.accounts import operations as accounts
from mdt.accounts.models import User, UserSession
from mdt.core.time import now_utc
from mdt.core.tokens import token_hash
from mdt.extensions import db
from mdt.oidc.models import OidcIdentity
from mdt.oidc.providers import MFA_AMR, Provider

log = logging.getLogger(__name__)


class Refused(Exception):
    """Sign-in refused; the message is for the person, the title names the page."""

    def __init__(self, message: str, title: str = "You cannot sign in this way") -> None:
        super().__init__(message)
        self.title = title


NO_ACCESS = "no-access"


@dataclass(frozen=True)
class SelectedRole:
    ods_code: str
    role_code: str


def check_assurance(provider: Provider, claims: dict[str, Any]) -> None:
    if provider.required_acr and claims.get("acr") not in provider.required_acr:
        raise Refused(
            f"{provider.label} did not confirm a strong enough sign-in (a smartcard or an "
            "authenticator app). Sign in again with one of those."
        )


def check_groups(provider: Provider, claims: dict[str, Any]) -> None:
    if not provider.allowed_groups and not provider.allowed_roles:
        return
    groups = set(claims.get("groups") or ())
    roles = set(claims.get("roles") or ())
    if groups & set(provider.allowed_groups) or roles & set(provider.allowed_roles):
        return
    raise Refused(
        f"Your {provider.label} account is not in a group allowed to use this service. "
        "Ask your MDT coordinator for access."
    )


def asserted_mfa(provider: Provider, claims: dict[str, Any]) -> bool:
    amr = claims.get("amr") or []
    if isinstance(amr, str):
        amr = [amr]
    return bool(set(amr) & MFA_AMR) or claims.get("acr") in provider.mfa_acr


def selected_role(claims: dict[str, Any], userinfo: dict[str, Any]) -> SelectedRole | None:
    """CIS2: the role the person chose at sign-in (selected_roleid) among their roles
    (nhsid_nrbac_roles, from the userinfo endpoint)."""
    wanted = claims.get("selected_roleid") or userinfo.get("selected_roleid")
    for role in userinfo.get("nhsid_nrbac_roles") or ():
        if wanted is not None and str(role.get("person_roleid")) == str(wanted):
            return SelectedRole(str(role.get("org_code", "")), str(role.get("role_code", "")))
    return None


def check_role_organisation(provider: Provider, user: User, role: SelectedRole | None) -> None:
    if role is None:
        raise Refused(
            f"{provider.label} did not say which role you selected. Sign in again and choose "
            "the role you work in for this service."
        )
    own = (user.organisation.ods_code or "").upper()
    if role.ods_code.upper() != own:
        raise Refused(
            f"The role you selected is at organisation {role.ods_code}, but in this service "
            f"you belong to {user.organisation.name}. Sign in again and select your role at "
            f"{user.organisation.name}, or ask your MDT coordinator to change your organisation."
        )


def _verified_email(provider: Provider, claims: dict[str, Any]) -> str | None:
    email = claims.get("email")
    if provider.profile == "entra":
        # The tenant's own directory vouches for its addresses; Entra sends no email_verified.
        email = email or claims.get("preferred_username")
        return str(email) if email else None
    if email and claims.get("email_verified") is True:
        return str(email)
    if email and provider.profile == "cis2":
        return str(email)  # CIS2's registration authorities check identity and address
    return None


def identity_user(provider: Provider, issuer: str, claims: dict[str, Any]) -> User:
    """The account this (issuer, subject) signs in to, linking it on the first sign-in when
    the verified email matches an active account, not yet linked to this provider, in an
    organisation that allows the provider. Otherwise Refused, and nothing is created."""
    subject = claims.get(provider.subject_claim)
    if not subject:
        raise Refused(f"{provider.label} did not say who you are.")
    identity = db.session.scalars(
        sa.select(OidcIdentity).where(
            OidcIdentity.issuer == issuer, OidcIdentity.subject == str(subject)
        )
    ).one_or_none()
    if identity is not None:
        if not identity.user.is_active:
            raise _no_access()
        identity.last_sign_in_at = now_utc()
        return identity.user
    email = _verified_email(provider, claims)
    user = accounts.find_user_by_email(email) if email else None
    if (
        user is None
        or not user.is_active
        or provider.name not in user.organisation.oidc_providers.split()
        or _linked_to(user, provider)
    ):
        raise _no_access()
    db.session.add(
        OidcIdentity(
            user=user,
            provider=provider.name,
            issuer=issuer,
            subject=str(subject),
            linked_email=str(email),
            last_sign_in_at=now_utc(),
        )
    )
    db.session.flush()
    log.info("oidc: linked %s identity to user %s by verified email", provider.name, user.id)
    return user


def _linked_to(user: User, provider: Provider) -> bool:
    return (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(OidcIdentity)
            .where(OidcIdentity.user_id == user.id, OidcIdentity.provider == provider.name)
        )
        != 0
    )


def _no_access() -> Refused:
    return Refused(
        "This service does not have an account for you yet. Ask your MDT coordinator for "
        "access: they add people, and then you can sign in here.",
        title=NO_ACCESS,
    )


def start_session(
    user: User,
    provider: Provider,
    claims: dict[str, Any],
    role: SelectedRole | None,
) -> str:
    """A normal server-side session (the password path's), noting how it was signed in."""
    token = accounts.start_session(user)
    record = db.session.scalars(
        sa.select(UserSession).where(UserSession.token_hash == token_hash(token))
    ).one()
    record.oidc_provider = provider.name
    record.oidc_acr = str(claims["acr"])[:200] if claims.get("acr") else None
    record.oidc_sid = str(claims["sid"])[:255] if claims.get("sid") else None
    record.oidc_subject = str(claims.get(provider.subject_claim))[:255]
    record.provider_asserted_mfa = asserted_mfa(provider, claims)
    if role is not None:
        record.role_ods_code = role.ods_code[:12]
        record.role_code = role.role_code[:40]
    db.session.flush()
    return token


def end_sessions_from_logout(provider: Provider, subject: str | None, sid: str | None) -> int:
    """Back-channel logout: end the sessions this provider started for that person (sub)
    or that one provider session (sid). Returns how many were open."""
    where = [UserSession.oidc_provider == provider.name, UserSession.revoked_at.is_(None)]
    if sid:
        where.append(UserSession.oidc_sid == sid)
    if subject:
        where.append(UserSession.oidc_subject == subject)
    sessions = db.session.scalars(sa.select(UserSession).where(*where)).all()
    for record in sessions:
        record.revoked_at = now_utc()
    db.session.flush()
    return len(sessions)
