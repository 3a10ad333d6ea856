"""Passkeys (WebAuthn, through py_webauthn) as a second factor: registering one, and checking
one at the second step of signing in.

Each ceremony starts with options made here, whose random challenge is kept in a
PasskeyChallenge row for this person and purpose (the browser's cookie names only the row);
the answer is checked against it once, and the row deleted whatever the outcome. Operations
flush; the caller commits. Nothing here logs or audits a credential's id or key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import sqlalchemy as sa
from flask import current_app, session
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AttestationConveyancePreference,
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from mdt.accounts import operations as accounts
from mdt.accounts.models import User
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mfa.models import Passkey, PasskeyChallenge

log = logging.getLogger(__name__)

#: SecurityEvent actions about passkeys (the detail says which passkey, and why refused).
ADDED = "passkey added"
USED = "passkey used"
REFUSED = "passkey refused"
REMOVED = "passkey removed"

REGISTER, SIGN_IN = "register", "sign-in"
#: How long the browser has to answer (the person touches their key or unlocks their phone).
CHALLENGE_LIFETIME = timedelta(minutes=3)
#: The cookie session's key for the challenge row of the ceremony under way.
SESSION_KEY = "passkey_challenge"
NAME_LENGTH = 60


class PasskeyRefused(Exception):
    """A passkey answer that does not prove what it should; the message is for the person."""


@dataclass(frozen=True)
class RelyingParty:
    id: str
    name: str
    origin: str


def relying_party() -> RelyingParty:
    config = current_app.config
    return RelyingParty(config["WEBAUTHN_RP_ID"], config["SERVICE_NAME"], config["WEBAUTHN_ORIGIN"])


def passkeys_of(user: User) -> list[Passkey]:
    return list(
        db.session.scalars(
            sa.select(Passkey).where(Passkey.user_id == user.id).order_by(Passkey.created_at)
        )
    )


def user_handle(user: User) -> bytes:
    """The opaque id an authenticator files the person's passkeys under: the same for every
    passkey of theirs, naming nothing about them (a keyed hash of their row id)."""
    key = current_app.config["SECRET_KEY"]
    key = key if isinstance(key, bytes) else str(key).encode()
    return hmac.new(key, f"passkey user {user.id}".encode(), hashlib.sha256).digest()


# --- challenges ----------------------------------------------------------------------------


def _store_challenge(user: User, purpose: str, challenge: bytes) -> None:
    """Replaces this person's earlier challenge for the same purpose: one ceremony at a time."""
    db.session.execute(
        sa.delete(PasskeyChallenge).where(
            sa.or_(
                sa.and_(PasskeyChallenge.user_id == user.id, PasskeyChallenge.purpose == purpose),
                PasskeyChallenge.expires_at <= now_utc(),
            )
        )
    )
    row = PasskeyChallenge(
        user_id=user.id,
        purpose=purpose,
        challenge=bytes_to_base64url(challenge),
        expires_at=now_utc() + CHALLENGE_LIFETIME,
    )
    db.session.add(row)
    db.session.flush()
    session[SESSION_KEY] = row.id


def take_challenge(user: User, purpose: str) -> bytes:
    """The challenge this browser was given for this person and purpose, deleted as it is
    read: a second answer to it finds none. Refused (and audited) when there is none or it
    is too old."""
    row_id = session.pop(SESSION_KEY, None)
    row = db.session.get(PasskeyChallenge, row_id) if type(row_id) is int else None
    if row is None or row.user_id != user.id or row.purpose != purpose:
        _record(user, REFUSED, f"passkey {purpose} refused: no challenge (used or never given)")
        raise PasskeyRefused("That passkey request has expired or was already used. Try again.")
    challenge, expires_at = row.challenge, row.expires_at
    taken = db.session.execute(sa.delete(PasskeyChallenge).where(PasskeyChallenge.id == row.id))
    if taken.rowcount != 1:  # a concurrent answer deleted it first
        _record(user, REFUSED, f"passkey {purpose} refused: its challenge was already used")
        raise PasskeyRefused("That passkey request has expired or was already used. Try again.")
    if expires_at <= now_utc():
        _record(user, REFUSED, f"passkey {purpose} refused: its challenge had expired")
        raise PasskeyRefused("That passkey request has expired. Try again.")
    return base64url_to_bytes(challenge)


# --- registering ---------------------------------------------------------------------------


def registration_options(user: User) -> str:
    """The options for navigator.credentials.create(), as JSON; the person's passkeys are
    excluded, so one device is not registered twice."""
    rp = relying_party()
    options = generate_registration_options(
        rp_id=rp.id,
        rp_name=rp.name,
        user_id=user_handle(user),
        user_name=user.email,
        user_display_name=user.name,
        timeout=int(CHALLENGE_LIFETIME.total_seconds() * 1000),
        attestation=AttestationConveyancePreference.NONE,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED,
        ),
        exclude_credentials=[_descriptor(p) for p in passkeys_of(user)],
    )
    _store_challenge(user, REGISTER, options.challenge)
    return options_to_json(options)


def register(user: User, name: str, credential: Any) -> Passkey:
    """Check the browser's answer to the registration options and keep the passkey."""
    challenge = take_challenge(user, REGISTER)
    rp = relying_party()
    try:
        verified = verify_registration_response(
            credential=_as_json(credential),
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        log.info("passkey: registration refused for user %s: %s", user.id, type(exc).__name__)
        _record(user, REFUSED, "passkey registration refused: the answer did not verify")
        raise PasskeyRefused("Your passkey could not be checked. Try again.") from None
    credential_id = bytes_to_base64url(verified.credential_id)
    if db.session.scalar(sa.select(Passkey.id).where(Passkey.credential_id == credential_id)):
        _record(user, REFUSED, "passkey registration refused: that passkey is registered already")
        raise PasskeyRefused("That passkey is registered already.")
    passkey = Passkey(
        user_id=user.id,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        name=name.strip()[:NAME_LENGTH],
        transports=_transports(credential),
    )
    db.session.add(passkey)
    db.session.flush()
    log.info("passkey: registered passkey %s for user %s", passkey.id, user.id)
    _record(user, ADDED, f"passkey {passkey.id} registered as a second factor")
    return passkey


def remove(user: User, passkey: Passkey) -> None:
    db.session.delete(passkey)
    db.session.flush()
    log.info("passkey: removed passkey %s of user %s", passkey.id, user.id)
    _record(user, REMOVED, f"passkey {passkey.id} removed")


# --- signing in ----------------------------------------------------------------------------


def authentication_options(user: User) -> str:
    """The options for navigator.credentials.get(), listing this person's passkeys only."""
    rp = relying_party()
    options = generate_authentication_options(
        rp_id=rp.id,
        timeout=int(CHALLENGE_LIFETIME.total_seconds() * 1000),
        allow_credentials=[_descriptor(p) for p in passkeys_of(user)],
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    _store_challenge(user, SIGN_IN, options.challenge)
    return options_to_json(options)


def verify_assertion(user: User, credential: Any) -> Passkey:
    """Check an answer from navigator.credentials.get(): to the challenge this browser was
    given, from one of this person's passkeys, signed by its key, with a signature counter
    that moved on. Returns the passkey (its counter and last use updated); raises
    PasskeyRefused, audited, otherwise."""
    challenge = take_challenge(user, SIGN_IN)
    passkey = _own_passkey(user, credential)
    rp = relying_party()
    try:
        verified = verify_authentication_response(
            credential=_as_json(credential),
            expected_challenge=challenge,
            expected_rp_id=rp.id,
            expected_origin=rp.origin,
            credential_public_key=passkey.public_key,
            # The counter is compared below, after the signature: a signed counter that
            # went backwards is a possible clone, worth telling apart from a bad answer.
            credential_current_sign_count=0,
        )
    except (WebAuthnException, ValueError, TypeError, KeyError) as exc:
        log.info("passkey: sign-in refused for user %s: %s", user.id, type(exc).__name__)
        _record(user, REFUSED, f"passkey {passkey.id} sign-in refused: the answer did not verify")
        raise PasskeyRefused("Your passkey could not be checked. Try again.") from None
    if _counter_went_backwards(passkey.sign_count, verified.new_sign_count):
        log.warning("passkey: signature counter went backwards on passkey %s", passkey.id)
        _record(
            user,
            REFUSED,
            f"passkey {passkey.id} sign-in refused: its signature counter went backwards "
            f"({passkey.sign_count} to {verified.new_sign_count}), it may have been copied",
        )
        raise PasskeyRefused(
            "That passkey cannot be trusted any more. Use another factor, and tell your "
            "administrator."
        )
    passkey.sign_count = verified.new_sign_count
    passkey.last_used_at = now_utc()
    _record(user, USED, f"passkey {passkey.id} used as a second factor")
    return passkey


def _counter_went_backwards(stored: int, new: int) -> bool:
    """Authenticators that keep no counter always say 0 (passkeys synced between devices
    do): only a counter that was or is above 0 has to move on."""
    return (stored > 0 or new > 0) and new <= stored


def _own_passkey(user: User, credential: Any) -> Passkey:
    raw_id = credential.get("rawId") if isinstance(credential, dict) else None
    passkey = (
        db.session.scalar(
            sa.select(Passkey).where(Passkey.credential_id == raw_id, Passkey.user_id == user.id)
        )
        if isinstance(raw_id, str) and len(raw_id) <= 1400
        else None
    )
    if passkey is None:
        _record(user, REFUSED, "passkey sign-in refused: not one of this person's passkeys")
        raise PasskeyRefused("That passkey is not registered to your account.")
    return passkey


# --- helpers -------------------------------------------------------------------------------


def _descriptor(passkey: Passkey) -> PublicKeyCredentialDescriptor:
    transports = []
    for name in filter(None, passkey.transports.split(",")):
        try:
            transports.append(AuthenticatorTransport(name))
        except ValueError:
            continue  # a transport newer than the library: the browser manages without it
    return PublicKeyCredentialDescriptor(
        id=base64url_to_bytes(passkey.credential_id), transports=transports or None
    )


def _as_json(credential: Any) -> str:
    if not isinstance(credential, dict):
        raise TypeError("the credential is not a JSON object")
    return json.dumps(credential)


def _transports(credential: Any) -> str:
    response = credential.get("response") if isinstance(credential, dict) else None
    listed = response.get("transports") if isinstance(response, dict) else None
    if not isinstance(listed, list):
        return ""
    known = {t.value for t in AuthenticatorTransport}
    return ",".join(t for t in listed if t in known)[:120]


def _record(user: User, action: str, what: str) -> None:
    """In the security_event table, with the account's other sign-in events: the passkey's
    number, never its key or credential id. The person may not be signed in yet (the second
    step of signing in): they are the actor and the person both."""
    accounts.record_security_event(user, action, what, user=user)
