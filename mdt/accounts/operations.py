"""Accounts: creating people, signing in and out, throttling, password links.

Operations flush; the caller (a view or a command) commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache

import sqlalchemy as sa
from flask import current_app

from mdt.accounts.models import LoginAttempt, PasswordLink, SecurityEvent, User, UserSession
from mdt.accounts.passwords import hash_password, verify_password
from mdt.core.revisions import Conflict as Conflict  # still imported from here by others
from mdt.core.time import now_utc
from mdt.core.tokens import new_token, token_hash
from mdt.extensions import db


def email_key(email: str) -> str:
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email_key == email_key(email)))


def email_taken(email: str, except_user: User | None = None) -> bool:
    user = find_user_by_email(email)
    return user is not None and user is not except_user


def create_user(*, password: str | None = None, **fields: object) -> User:
    user = User(**fields)
    user.email_key = email_key(user.email)
    if password is not None:
        user.password_hash = hash_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def update_user(user: User, revision: int | None, **fields: object) -> None:
    user.check(revision)
    for name, value in fields.items():
        setattr(user, name, value)
    user.email_key = email_key(user.email)
    user.bump()
    db.session.flush()


# --- signing in ---------------------------------------------------------------------------


@dataclass
class LoginResult:
    user: User | None = None
    locked_until: datetime | None = None


def locked_until(email: str) -> datetime | None:
    """When the account's cooling-off period ends, if it is in one now."""
    cfg = current_app.config
    limit = cfg["SECURITY_LOGIN_MAX_FAILURES"]
    key = email_key(email)
    last_success = db.session.scalar(
        sa.select(sa.func.max(LoginAttempt.attempted_at)).where(
            LoginAttempt.email_key == key, LoginAttempt.succeeded
        )
    )
    query = sa.select(LoginAttempt.attempted_at).where(
        LoginAttempt.email_key == key, ~LoginAttempt.succeeded
    )
    if last_success is not None:
        query = query.where(LoginAttempt.attempted_at > last_success)
    failures = [
        _aware(at)
        for at in db.session.scalars(query.order_by(LoginAttempt.attempted_at.desc()).limit(limit))
    ]
    if len(failures) < limit:
        return None
    newest, oldest = failures[0], failures[-1]
    if newest - oldest > timedelta(minutes=cfg["SECURITY_LOGIN_WINDOW_MINUTES"]):
        return None
    until = newest + timedelta(minutes=cfg["SECURITY_LOGIN_LOCKOUT_MINUTES"])
    return until if now_utc() < until else None


def _aware(at: datetime) -> datetime:
    # An aggregate or bare column select skips the UTC type's conversion on SQLite.
    return at if at.tzinfo else at.replace(tzinfo=UTC)


def authenticate(email: str, password: str) -> LoginResult:
    """Every attempt verifies one argon2 hash, the account's or a dummy one (no such
    account, not active, no password yet, cooling off), so the time an answer takes does
    not tell which email addresses have an account: without the dummy, a wrong password
    took about 190 ms and an unknown address 9 ms."""
    until = locked_until(email)
    if until is not None:
        verify_password(None, password)
        # Attempts during cooling-off are not counted, so the period ends by itself.
        return LoginResult(locked_until=until)
    user = find_user_by_email(email)
    able = user is not None and user.is_active
    ok = verify_password(user.password_hash if able else None, password)  # type: ignore[union-attr]
    db.session.add(LoginAttempt(email_key=email_key(email), succeeded=ok))
    db.session.flush()
    return LoginResult(user=user if ok else None)


def start_session(user: User) -> str:
    token = new_token()
    hours = current_app.config["SECURITY_SESSION_HOURS"]
    db.session.add(
        UserSession(
            user=user, token_hash=token_hash(token), expires_at=now_utc() + timedelta(hours=hours)
        )
    )
    db.session.flush()
    user.session_token = token
    return token


#: How stale a session's last_seen_at may be before a request writes it again: often
#: enough for the idle timeout (minutes), rarely enough that pages do not write each time.
LAST_SEEN_EVERY = timedelta(minutes=1)


def user_for_session(token: str) -> User | None:
    """The person signed in under this session token, if it is still open: not signed out,
    within its hours, not idle too long, the person still active. Moves last_seen_at on
    when it is more than a minute old; the caller commits."""
    row = db.session.scalar(_session_statement(), {"token_hash": token_hash(token)})
    now = now_utc()
    if row is None or row.revoked_at is not None or row.expires_at <= now:
        return None
    idle_for = timedelta(minutes=current_app.config["SECURITY_IDLE_MINUTES"])
    if row.last_seen_at + idle_for <= now or not row.user.is_active:
        return None
    if now - row.last_seen_at >= LAST_SEEN_EVERY:
        row.last_seen_at = now
    row.user.session_token = token
    return row.user


@cache
def _session_statement() -> sa.Select[tuple[UserSession]]:
    """Built once (every page signed in starts here), the token's hash bound per request."""
    return sa.select(UserSession).where(
        UserSession.token_hash == sa.bindparam("token_hash", type_=sa.String)
    )


def end_session(token: str | None) -> None:
    if not token:
        return
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.token_hash == token_hash(token), UserSession.revoked_at.is_(None))
        .values(revoked_at=now_utc())
    )


def end_other_sessions(user: User, current_token: str | None) -> None:
    """Sign the person out everywhere but in this browser."""
    query = sa.update(UserSession).where(
        UserSession.user_id == user.id, UserSession.revoked_at.is_(None)
    )
    if current_token:
        query = query.where(UserSession.token_hash != token_hash(current_token))
    db.session.execute(query.values(revoked_at=now_utc()))


def end_all_sessions(user: User) -> None:
    db.session.execute(
        sa.update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now_utc())
    )


def password_matches(user: User, password: str) -> bool:
    """The person's password typed again (to confirm it's them). A wrong one counts
    towards the account's lock like a failed sign-in; a right one is not recorded as a
    sign-in, so that it does not wipe the count of wrong codes typed with it."""
    ok = verify_password(user.password_hash, password)
    if not ok:
        db.session.add(LoginAttempt(email_key=user.email_key, succeeded=False))
        db.session.flush()
    return ok


def change_password(user: User, password: str) -> None:
    user.password_hash = hash_password(password)
    db.session.flush()


def change_email(user: User, email: str) -> None:
    user.email = email.strip()
    user.email_key = email_key(user.email)
    user.bump()
    db.session.flush()


def record_security_event(
    actor: User,
    action: str,
    detail: str = "",
    *,
    user: User | None = None,
    organisation_id: int | None = None,
) -> None:
    db.session.add(
        SecurityEvent(
            actor_id=actor.id,
            user_id=user.id if user else None,
            organisation_id=organisation_id,
            action=action[:40],
            detail=detail[:500],
        )
    )
    db.session.flush()


# --- password links -------------------------------------------------------------------------


def issue_password_link(user: User, issued_by: User) -> str:
    """Returns the token (shown once); earlier unused links for the person stop working."""
    now = now_utc()
    db.session.execute(
        sa.update(PasswordLink)
        .where(PasswordLink.user_id == user.id, PasswordLink.used_at.is_(None))
        .values(used_at=now)
    )
    token = new_token()
    hours = current_app.config["SECURITY_PASSWORD_LINK_HOURS"]
    db.session.add(
        PasswordLink(
            user_id=user.id,
            created_by_id=issued_by.id,
            token_hash=token_hash(token),
            expires_at=now + timedelta(hours=hours),
        )
    )
    db.session.flush()
    return token


def valid_password_link(token: str) -> PasswordLink | None:
    link = db.session.scalar(
        sa.select(PasswordLink).where(PasswordLink.token_hash == token_hash(token))
    )
    if link is None or link.used_at is not None or link.expires_at <= now_utc():
        return None
    return link


def set_password_with_link(link: PasswordLink, password: str) -> User:
    link.used_at = now_utc()
    link.user.password_hash = hash_password(password)
    end_all_sessions(link.user)
    db.session.flush()
    return link.user
