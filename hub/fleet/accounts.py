"""Staff accounts: argon2 password hashes, roles, and the sign-in rate limit.

The rate limit lives in the database (every gunicorn worker sees the same attempts): at
most :attr:`LoginLimits.per_user` failed attempts for one user name and
:attr:`LoginLimits.per_address` from one address within :attr:`LoginLimits.window`; past
that, sign-in is refused without checking the password until the window has moved on.
"""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from hub.db.models import LoginAttempt, User, UserRole

from .roles import Role

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}\Z")
MIN_PASSWORD = 10
_hasher = PasswordHasher()
# Checked against when the user does not exist, so both cases take the same time.
_DUMMY_HASH = _hasher.hash("not a password of anyone")


class AccountError(ValueError):
    """A bad user name, password or role (one line for the person who typed it)."""


@dataclass(frozen=True)
class LoginLimits:
    per_user: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class SignIn:
    user: User | None
    limited_until: datetime | None = None  # refused by the rate limit until then


def check_username(name: str) -> str:
    name = name.strip().lower()
    if not USERNAME_RE.match(name):
        raise AccountError("a user name is 2 to 64 characters: a-z, 0-9, '.', '_' or '-'")
    return name


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password has at least {MIN_PASSWORD} characters")
    return password


def create_user(s: Session, username: str, password: str, roles: frozenset[Role], now: datetime,
                language: str = "fr") -> User:
    username = check_username(username)
    if s.scalar(select(User.id).where(User.username == username)) is not None:
        raise AccountError(f"user {username} exists already")
    if not roles:
        raise AccountError("give the user at least one role")
    user = User(username=username, password_hash=_hasher.hash(check_password(password)), active=True,
                language=language, session_version=0, created_at=now)
    user.roles = [UserRole(role=r.value) for r in sorted(roles)]
    s.add(user)
    s.flush()
    log.info("user %s created with roles %s", username, ", ".join(sorted(roles)))
    return user


def set_password(user: User, password: str) -> None:
    user.password_hash = _hasher.hash(check_password(password))
    user.session_version += 1  # every open session of the user ends


def set_roles(user: User, roles: frozenset[Role]) -> None:
    if not roles:
        raise AccountError("give the user at least one role")
    user.roles = [UserRole(role=r.value) for r in sorted(roles)]
    user.session_version += 1


def deactivate(user: User) -> None:
    user.active = False
    user.session_version += 1


def held_roles(user: User) -> list[str]:
    return sorted(r.role for r in user.roles)


def limited_until(s: Session, key: str, addr: str, now: datetime, limits: LoginLimits) -> datetime | None:
    """When sign-in for ``key`` from ``addr`` may be tried again, or None if it may now."""
    since = now - limits.window
    for column, value, limit in ((LoginAttempt.username, key, limits.per_user),
                                 (LoginAttempt.remote_addr, addr, limits.per_address)):
        failures = s.execute(
            select(func.count(), func.min(LoginAttempt.at))
            .where(column == value, LoginAttempt.at > since, LoginAttempt.ok.is_(False))
        ).one()
        if failures[0] >= limit:
            oldest = s.scalars(
                select(LoginAttempt.at).where(column == value, LoginAttempt.at > since, LoginAttempt.ok.is_(False))
                .order_by(LoginAttempt.at.desc()).offset(limit - 1).limit(1)
            ).first()
            return (oldest or now) + limits.window
    return None


def record_attempt(s: Session, key: str, addr: str, ok: bool, now: datetime) -> None:
    s.add(LoginAttempt(username=key[:80], remote_addr=addr[:64], at=now, ok=ok))
    s.execute(delete(LoginAttempt).where(LoginAttempt.at < now - timedelta(days=1)))


def sign_in(s: Session, username: str, password: str, addr: str, now: datetime,
            limits: LoginLimits = LoginLimits()) -> SignIn:
    """Check a user's password under the rate limit; records the attempt (caller commits)."""
    key = username.strip().lower()[:64]
    until = limited_until(s, key, addr, now, limits)
    if until is not None:
        log.warning("sign-in for %r from %s refused by the rate limit until %s", key, addr, until.isoformat())
        return SignIn(None, until)
    user = s.scalar(select(User).where(User.username == key))
    ok = False
    try:
        ok = _hasher.verify(user.password_hash if user else _DUMMY_HASH, password) and user is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        ok = False
    ok = ok and user is not None and user.active
    record_attempt(s, key, addr, ok, now)
    if not ok or user is None:
        log.info("sign-in failed for %r from %s", key, addr)
        return SignIn(None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    user.last_login_at = now
    log.info("user %s signed in from %s", user.username, addr)
    return SignIn(user)
