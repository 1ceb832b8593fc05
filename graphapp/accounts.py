"""Local accounts: users with a role and an argon2id password hash, API tokens, memberships."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from graphapp import model
from graphapp.db import ApiToken, CaseMembership, User, session_scope, utcnow
from graphapp.settings import Settings

ROLES = ("admin", "investigator", "analyst", "prosecutor")
TOKEN_PREFIX = "cgt_"  # noqa: S105 - a marker, not a secret
TOKEN_DAYS = 90
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


class AccountError(Exception):
    """A request about accounts that cannot be carried out; the message says why."""


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_one_time_password() -> str:
    return secrets.token_urlsafe(15)


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")


def get_user(settings: Settings, name: str) -> User:
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == name))
    if user is None:
        raise AccountError(f"no user named {name!r}")
    return user


def add_user(settings: Settings, name: str, role: str, password: str | None = None) -> str | None:
    """Create a user; without ``password`` a one-time password is generated and returned."""
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if not name or not name.replace("-", "").replace("_", "").replace(".", "").isalnum():
        raise AccountError("user names are letters, digits, '.', '-' and '_'")
    one_time = None
    if password is None:
        one_time = password = new_one_time_password()
    else:
        check_password_strength(password)
    with session_scope(settings) as s:
        if s.scalar(select(User).where(User.name == name)) is not None:
            raise AccountError(f"user {name!r} already exists")
        s.add(User(name=name, role=role, password_hash=hash_password(password),
                   must_change_password=one_time is not None))
    return one_time


def authenticate(settings: Settings, name: str, password: str) -> User | None:
    """The user if the password is right and the account enabled; argon2 runs either way."""
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == name))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        return None
    if user.disabled or not verify_password(user.password_hash, password):
        return None
    return user


_DUMMY_HASH = _hasher.hash("not-a-password-" + secrets.token_hex(8))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(settings: Settings, name: str, days: int = TOKEN_DAYS) -> str:
    """Create an API token for ``name``; the token is returned once and stored only as a hash."""
    user = get_user(settings, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_scope(settings) as s:
        s.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), prefix=token[:10],
                       expires_at=utcnow() + timedelta(days=days)))
    return token


def user_for_token(settings: Settings, token: str) -> User | None:
    """The enabled user holding this unexpired, unrevoked token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    with session_scope(settings) as s:
        row = s.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
        if row is None or row.revoked_at is not None:
            return None
        if row.expires_at is not None and _aware(row.expires_at) < utcnow():
            return None
        user = s.get(User, row.user_id)
    if user is None or user.disabled:
        return None
    return user


def _aware(when: datetime) -> datetime:
    """SQLite returns naive datetimes for aware columns; they were written in UTC."""
    from datetime import UTC

    return when if when.tzinfo else when.replace(tzinfo=UTC)


def grant_case(settings: Settings, name: str, case_id: str, access: str, granted_by: str) -> None:
    """Make ``name`` a member of ``case_id`` with ``access`` (replacing an earlier grant)."""
    if access not in model.CASE_ACCESS:
        raise AccountError(f"access must be one of {', '.join(model.CASE_ACCESS)}")
    user = get_user(settings, name)
    with session_scope(settings) as s:
        row = s.scalar(select(CaseMembership).where(
            CaseMembership.user_id == user.id, CaseMembership.case_id == case_id))
        if row is None:
            s.add(CaseMembership(user_id=user.id, case_id=case_id, access=access,
                                 granted_by=granted_by))
        else:
            row.access, row.granted_by, row.granted_at = access, granted_by, utcnow()


def memberships(settings: Settings, user_id: int) -> dict[str, str]:
    """Case id -> access for one user."""
    with session_scope(settings) as s:
        rows = s.scalars(select(CaseMembership).where(CaseMembership.user_id == user_id))
        return {r.case_id: r.access for r in rows}


def reset_one_time_password(settings: Settings, name: str, role: str) -> str:
    """Create ``name`` or give it a fresh one-time password (the demo prints them at each start)."""
    password = new_one_time_password()
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            if role not in ROLES:
                raise AccountError(f"unknown role {role!r}")
            s.add(User(name=name, role=role, password_hash=hash_password(password),
                       must_change_password=True))
        else:
            user.password_hash = hash_password(password)
            user.must_change_password = True
    return password


def set_password(settings: Settings, name: str, password: str) -> None:
    """Replace a user's password with one they chose; it is no longer one-time."""
    check_password_strength(password)
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"no user named {name!r}")
        user.password_hash = hash_password(password)
        user.must_change_password = False
