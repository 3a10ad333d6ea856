"""Second factors for local accounts: an authenticator app (TOTP) and recovery codes.

Operations flush; the caller (a view or a command) commits.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time

import pyotp
import sqlalchemy as sa
from flask import current_app

from mdt.accounts import operations as accounts
from mdt.accounts.models import SecurityEvent, User
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.mfa.models import Passkey, RecoveryCode, TotpFactor

log = logging.getLogger(__name__)

#: Codes one step either side of the server's clock are accepted (phones drift).
VALID_WINDOW = 1
STEP_SECONDS = 30
RECOVERY_CODES = 10
#: Letters and digits that cannot be mistaken for each other when read off paper.
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def confirmed_totp(user: User) -> TotpFactor | None:
    return db.session.scalar(
        sa.select(TotpFactor).where(
            TotpFactor.user_id == user.id, TotpFactor.confirmed_at.is_not(None)
        )
    )


def has_second_factor(user: User) -> bool:
    """An authenticator app or a passkey (mdt.mfa.factors says which, for the pages)."""
    if confirmed_totp(user) is not None:
        return True
    return (
        db.session.scalar(sa.select(Passkey.id).where(Passkey.user_id == user.id).limit(1))
        is not None
    )


#: SecurityEvent actions about a person's second factor.
RESET_BY_ADMINISTRATOR = "second factor reset"
REMOVED_BY_THEMSELF = "second factor removed"
APP_ADDED = "authenticator app added"


def second_factor_required(user: User) -> bool:
    """Administrators always need one; everyone else when [security] require_second_factor
    is on, or when an administrator reset theirs (they enrol again at the next sign-in)."""
    return always_required(user) or enrolment_owed(user)


def always_required(user: User) -> bool:
    """Administrators, and everyone when [security] require_second_factor is on: their last
    factor cannot be removed (after an administrator's reset, only the next sign-in asks for
    one, so what the person then sets up they may later remove)."""
    return user.is_admin or bool(current_app.config["SECURITY_REQUIRE_SECOND_FACTOR"])


def enrolment_owed(user: User) -> bool:
    """An administrator removed the person's factor, and they have not taken one off
    themselves since (a factor set up after the reset is there, so this is not asked)."""
    latest = db.session.scalar(
        sa.select(SecurityEvent.action)
        .where(
            SecurityEvent.user_id == user.id,
            SecurityEvent.action.in_((RESET_BY_ADMINISTRATOR, REMOVED_BY_THEMSELF)),
        )
        .order_by(SecurityEvent.id.desc())
        .limit(1)
    )
    return latest == RESET_BY_ADMINISTRATOR


def needs_second_step(user: User) -> bool:
    return has_second_factor(user) or second_factor_required(user)


# --- setting up ---------------------------------------------------------------------------


def begin_totp(user: User) -> TotpFactor:
    """A new, unconfirmed secret (replacing an unconfirmed one); a confirmed one is kept
    until the new one is confirmed."""
    pending = db.session.scalar(sa.select(TotpFactor).where(TotpFactor.user_id == user.id))
    if pending is not None and pending.confirmed_at is not None:
        raise ValueError("remove the authenticator app before setting up another")
    if pending is None:
        pending = TotpFactor(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(pending)
        db.session.flush()
    return pending


def provisioning_uri(user: User, factor: TotpFactor) -> str:
    return pyotp.TOTP(factor.secret).provisioning_uri(
        name=user.email, issuer_name=current_app.config["SERVICE_NAME"]
    )


def confirm_totp(user: User, factor: TotpFactor, code: str) -> list[str] | None:
    """The first code from the app turns the factor on. Returns the new recovery codes
    (shown once), or None if the code is wrong."""
    step = _matching_step(factor, code)
    if step is None:
        return None
    factor.confirmed_at = now_utc()
    factor.last_used_step = step
    codes = replace_recovery_codes(user)
    accounts.record_security_event(user, APP_ADDED, user=user)
    log.info("second factor: authenticator app turned on for user %s", user.id)
    return codes


def remove_own_totp(user: User) -> None:
    remove_totp(user)
    accounts.record_security_event(user, REMOVED_BY_THEMSELF, user=user)


def reset_for_person(person: User, administrator: User, reason: str) -> None:
    """An administrator takes away a person's lost factor (and their recovery codes): the
    person's sessions end, and they set up a new factor at their next sign-in. Their
    passkeys go too: the lost device may hold one."""
    remove_totp(person)
    db.session.execute(sa.delete(Passkey).where(Passkey.user_id == person.id))
    accounts.end_all_sessions(person)
    accounts.record_security_event(
        administrator, RESET_BY_ADMINISTRATOR, reason.strip(), user=person
    )
    log.info("second factor: reset for user %s by administrator %s", person.id, administrator.id)


def remove_totp(user: User) -> None:
    db.session.execute(sa.delete(TotpFactor).where(TotpFactor.user_id == user.id))
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    db.session.flush()
    log.info("second factor: authenticator app and recovery codes removed for user %s", user.id)


def replace_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    db.session.add_all(RecoveryCode(user_id=user.id, code_hash=_code_hash(c)) for c in codes)
    db.session.flush()
    return codes


def recovery_codes_left(user: User) -> int:
    return (
        db.session.scalar(
            sa.select(sa.func.count()).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        )
        or 0
    )


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(10))  # about 50 bits
    return f"{raw[:5]}-{raw[5:]}"


def _normalised(code: str) -> str:
    return "".join(ch for ch in code.lower() if ch.isalnum())


def _code_hash(code: str) -> str:
    key = hashlib.sha256(b"mdt recovery codes " + _secret_key()).digest()
    return hmac.new(key, _normalised(code).encode(), hashlib.sha256).hexdigest()


def _secret_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    return secret if isinstance(secret, bytes) else str(secret).encode()


# --- the second step of signing in ----------------------------------------------------------


def _matching_step(factor: TotpFactor, code: str) -> int | None:
    """The time-step the code belongs to, within the skew window and later than the last
    code used; None otherwise."""
    code = "".join(code.split())
    if not (code.isdigit() and len(code) == 6):
        return None
    totp = pyotp.TOTP(factor.secret, interval=STEP_SECONDS)
    now_step = int(time.time()) // STEP_SECONDS
    for step in range(now_step - VALID_WINDOW, now_step + VALID_WINDOW + 1):
        if factor.last_used_step is not None and step <= factor.last_used_step:
            continue
        if hmac.compare_digest(totp.at(step * STEP_SECONDS), code):
            return step
    return None


def use_code(user: User, code: str) -> bool:
    """Whether `code` is a code from the person's authenticator app or an unused recovery
    code, used up if it is (each is accepted once). Only for mdt.mfa.factors.verify_factor,
    THE check of a second factor, which also counts the attempt towards the lock."""
    return _use_totp(user, code) or _use_recovery_code(user, code)


def _use_totp(user: User, code: str) -> bool:
    factor = confirmed_totp(user)
    if factor is None:
        return False
    step = _matching_step(factor, code)
    if step is None:
        return False
    factor.last_used_step = step
    return True


def _use_recovery_code(user: User, code: str) -> bool:
    if not _normalised(code):
        return False
    row = db.session.scalar(
        sa.select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = now_utc()
    log.info("second factor: recovery code used by user %s", user.id)
    return True
