"""Local accounts: users with a role and an argon2id password hash, API tokens, memberships,
and the log-in lock-out (DESIGN.md section 5, "Authentication")."""

from __future__ import annotations

import functools
import hashlib
import secrets
import string
import threading
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib import resources

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Row, bindparam, case, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from graphapp import model, sessions
from graphapp.db import (
    AccessStamp,
    ApiToken,
    CaseAccessRequest,
    CaseMembership,
    LoginThrottle,
    User,
    UserAction,
    driver_statement,
    get_engine,
    session_scope,
    utcnow,
)
from graphapp.settings import Settings

ROLES = ("admin", "investigator", "analyst", "prosecutor")
TOKEN_PREFIX = "cgt_"  # noqa: S105 - a marker, not a secret  # nosec B105
TOKEN_DAYS = 90
#: How many of a token's first characters are kept, to tell a user's tokens apart.
TOKEN_SHOWN = 10
MIN_PASSWORD_LENGTH = 12

#: Failed log-ins for one user name within FAILURE_WINDOW that lock the account for LOCKOUT.
USER_FAILURES = 5
#: Failed log-ins from one client address within FAILURE_WINDOW that block it for LOCKOUT:
#: higher than USER_FAILURES, since a station's users can share one address behind NAT, but
#: low enough to stop one address trying a few passwords on each of many user names.
ADDRESS_FAILURES = 30
FAILURE_WINDOW = timedelta(minutes=15)
LOCKOUT = timedelta(minutes=15)

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


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list of common passwords, in lower case."""
    text = resources.files("graphapp").joinpath("common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines()
                     if line.strip() and not line.startswith("#"))


def check_password_strength(password: str) -> None:
    """Refuse short passwords and the ones tried first in any guessing attack: a common
    password, one followed by digits or punctuation ("Sommar2024!"), digits alone, or a few
    characters repeated."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"password must be at least {MIN_PASSWORD_LENGTH} characters")
    lowered = password.lower()
    base = lowered.rstrip(string.digits + string.punctuation + " ")
    if lowered in common_passwords() or base in common_passwords() or not base \
            or len(set(lowered)) < 4:
        raise AccountError("password is too common or too easy to guess; a few unrelated words "
                           "make a good one")


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
        verify_password(_dummy_hash(), password)
        return None
    if user.disabled or not verify_password(user.password_hash, password):
        return None
    return user


@functools.cache
def _dummy_hash() -> str:
    """A hash to verify against when there is no user, so that an unknown name takes as long
    as a known one; made at the first log-in, not at import (argon2 takes 64 MiB and a
    moment, which every CLI run and ingest would otherwise pay)."""
    return _hasher.hash("not-a-password-" + secrets.token_hex(8))


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(settings: Settings, name: str, days: int = TOKEN_DAYS) -> str:
    """Create an API token for ``name``; the token is returned once and stored only as a hash."""
    user = get_user(settings, name)
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with session_scope(settings) as s:
        s.add(ApiToken(user_id=user.id, token_hash=_token_hash(token), prefix=token[:TOKEN_SHOWN],
                       expires_at=utcnow() + timedelta(days=days)))
    return token


def user_for_token(settings: Settings, token: str) -> Row | None:
    """The enabled user (``id``, ``name``, ``role``) holding this unexpired, unrevoked token."""
    found = token_holder(settings, token)
    return found[0] if found else None


_TOKEN_HOLDER = (select(User.id, User.name, User.role, User.disabled, ApiToken.revoked_at,
                        ApiToken.expires_at)
                 .join(ApiToken, ApiToken.user_id == User.id)
                 .where(ApiToken.token_hash == bindparam("token_hash")))


def token_holder(settings: Settings, token: str) -> tuple[Row, dict[str, str], frozenset[str]] | None:
    """The enabled user (``id``, ``name``, ``role``) holding this unexpired, unrevoked token,
    with their memberships and extra actions (:func:`rights`), read on one connection.

    Every API request asks this: the answer is kept under the database's access stamp
    (:class:`KeptRights`), and read again only when the stamp has changed."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    token_hash = _token_hash(token)

    def read(conn) -> tuple | None:
        user = conn.execute(_TOKEN_HOLDER, {"token_hash": token_hash}).first()
        if user is None or user.revoked_at is not None or user.disabled:
            return None
        return user, _memberships(conn, user.id), _extra_actions(conn, user.id)

    found = _kept.kept_or_read(settings, ("token", token_hash), read)
    if found is None:
        return None
    user, cases, extra = found
    if user.expires_at is not None and _aware(user.expires_at) < utcnow():
        return None
    return user, dict(cases), extra


_ACCESS_STAMP = select(AccessStamp.stamp).where(AccessStamp.id == 1)


def _stamp_now(engine) -> str | None:
    """The access stamp, read straight through the database's driver (:func:`driver_statement`):
    what most requests read of the accounts database, and SQLAlchemy's machinery around the
    one row cost three times the read (0.5 against 0.16 ms in a request)."""
    stamp = driver_statement(engine, _ACCESS_STAMP)
    conn = engine.raw_connection()
    try:
        cursor = conn.cursor()
        cursor.execute(stamp.text, stamp.params())
        row = cursor.fetchone()
        cursor.close()
        conn.rollback()
    finally:
        conn.close()
    return row[0] if row else None


class KeptRights:
    """Rights read at an earlier request (a token's holder, a user's memberships and extra
    actions), each kept with the access stamp it was read under (graphapp.db.AccessStamp).

    A request reads the stamp first and uses what is kept only if it is the same stamp: any
    change to users, tokens, memberships or extra actions, by anyone, replaces the stamp (a
    database trigger), so a revocation takes effect at the next request, on every app server.
    Reading the stamp before the rights means that rights kept under a stamp are never older
    than it. A 1M-fact reader's 711 memberships took 2.2 ms to read on every request; the
    stamp takes 0.1 ms."""

    def __init__(self, limit: int = 1024) -> None:
        self.limit = limit
        self._items: OrderedDict[tuple, tuple[str, tuple]] = OrderedDict()
        self._lock = threading.Lock()

    def kept_or_read(self, settings: Settings, key: tuple, read) -> tuple | None:
        """What is kept under ``key`` if the database's stamp is still the one it was read
        under, else ``read(connection)``'s answer (kept unless None)."""
        key = (settings.sqlalchemy_url, *key)
        engine = get_engine(settings)
        found = self.get(key, _stamp_now(engine))
        if found is not None:
            return found
        with engine.connect() as conn:
            stamp = conn.execute(_ACCESS_STAMP).scalar()
            found = self.get(key, stamp)
            if found is None:
                found = read(conn)
                if found is not None:
                    self.put(key, stamp, found)
        return found

    def get(self, key: tuple, stamp: str | None) -> tuple | None:
        if stamp is None:  # no stamp row: nothing kept can be trusted
            return None
        with self._lock:
            item = self._items.get(key)
            if item is None or item[0] != stamp:
                return None
            self._items.move_to_end(key)
            return item[1]

    def put(self, key: tuple, stamp: str | None, value: tuple) -> None:
        if stamp is None:
            return
        with self._lock:
            self._items[key] = (stamp, value)
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)


_kept = KeptRights()


def list_tokens(settings: Settings, name: str) -> list[ApiToken]:
    """A user's tokens (prefix, dates, revoked or not), newest first; never the tokens."""
    user = get_user(settings, name)
    with session_scope(settings) as s:
        return list(s.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                              .order_by(ApiToken.created_at.desc())))


def revoke_token(settings: Settings, token_or_prefix: str) -> str:
    """Revoke one token, named by the prefix ``list_tokens`` shows or by the whole token;
    return its prefix. It stops working at once (``user_for_token`` reads the row)."""
    if len(token_or_prefix) > TOKEN_SHOWN:
        match = ApiToken.token_hash == _token_hash(token_or_prefix)
    else:
        match = ApiToken.prefix == token_or_prefix
    with session_scope(settings) as s:
        rows = list(s.scalars(select(ApiToken).where(match)))
        if not rows:
            raise AccountError(f"no token {token_or_prefix!r}")
        if len(rows) > 1:
            raise AccountError(f"{len(rows)} tokens begin {token_or_prefix!r}; give the whole token")
        if rows[0].revoked_at is None:
            rows[0].revoked_at = utcnow()
        return rows[0].prefix


def revoke_user_tokens(settings: Settings, name: str) -> int:
    """Revoke every token of one user; return how many were still unrevoked."""
    user = get_user(settings, name)
    with session_scope(settings) as s:
        return s.execute(update(ApiToken).where(ApiToken.user_id == user.id,
                                                ApiToken.revoked_at.is_(None))
                         .values(revoked_at=utcnow())).rowcount


def revoke_sessions(settings: Settings, name: str) -> int:
    """End every web session of one user at once; return how many were open."""
    return sessions.revoke_for_user(settings, get_user(settings, name).id)


def disable_user(settings: Settings, name: str) -> None:
    """Disable an account: no log-in, and its open sessions and its tokens end at once (they
    stay ended if the account is enabled again)."""
    user = get_user(settings, name)
    with session_scope(settings) as s:
        s.execute(update(User).where(User.id == user.id).values(disabled=True))
    revoke_user_tokens(settings, name)
    sessions.revoke_for_user(settings, user.id)


def enable_user(settings: Settings, name: str) -> None:
    """Let a disabled account log in again (with new sessions and new tokens)."""
    user = get_user(settings, name)
    with session_scope(settings) as s:
        s.execute(update(User).where(User.id == user.id).values(disabled=False))


def _aware(when: datetime) -> datetime:
    """SQLite returns naive datetimes for aware columns; they were written in UTC."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


# -- log-in with lock-out ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoginResult:
    """What a log-in attempt came to. ``reason`` and ``locked`` are for the audit log only: the
    person logging in is told the same thing whatever went wrong."""

    user: User | None
    #: Why it was refused: ``bad-credentials``, ``account-locked`` or ``address-locked``.
    reason: str = ""
    #: What this failure locked: ``("user",)``, ``("address",)``, both or neither.
    locked: tuple[str, ...] = ()


def _user_key(name: str) -> str:
    return "user:" + name


def _address_key(client: str) -> str:
    return "addr:" + client


def attempt_login(settings: Settings, name: str, password: str, client: str) -> LoginResult:
    """Log in with lock-out: USER_FAILURES failures for one user name, or ADDRESS_FAILURES from
    one address, within FAILURE_WINDOW refuse that name or address for LOCKOUT, even with the
    right password. Counts live in the accounts database, shared by every app server; unknown
    names are counted like real ones, so the answers never tell them apart."""
    if _is_locked(settings, _address_key(client)):
        verify_password(_dummy_hash(), password)  # the same time taken as any other answer
        return LoginResult(None, "address-locked")
    if _is_locked(settings, _user_key(name)):
        verify_password(_dummy_hash(), password)
        locked = ("address",) if _count_failure(settings, _address_key(client), ADDRESS_FAILURES) else ()
        return LoginResult(None, "account-locked", locked)
    user = authenticate(settings, name, password)
    if user is None:
        locked = tuple(what for what, key, limit in (
            ("user", _user_key(name), USER_FAILURES),
            ("address", _address_key(client), ADDRESS_FAILURES))
            if _count_failure(settings, key, limit))
        return LoginResult(None, "bad-credentials", locked)
    unlock(settings, name)
    return LoginResult(user)


def unlock(settings: Settings, name: str) -> None:
    """Forget a user name's failed log-ins and lift its lock-out (a successful log-in does this)."""
    with session_scope(settings) as s:
        s.execute(delete(LoginThrottle).where(LoginThrottle.key == _user_key(name)))


def _is_locked(settings: Settings, key: str) -> bool:
    with session_scope(settings) as s:
        until = s.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == key))
    return until is not None and _aware(until) > utcnow()


def _count_failure(settings: Settings, key: str, limit: int) -> bool:
    """Count one failure against ``key``; lock it when this one reaches ``limit`` within the
    window. Return True if this failure locked it. The counter is changed by one UPDATE in the
    database, so concurrent failures on several app servers all count."""
    now = utcnow()
    window_open = LoginThrottle.window_start > now - FAILURE_WINDOW
    with session_scope(settings) as s:  # forget what no longer matters
        s.execute(delete(LoginThrottle).where(
            LoginThrottle.window_start <= now - FAILURE_WINDOW,
            LoginThrottle.locked_until.is_(None) | (LoginThrottle.locked_until <= now)))
    with session_scope(settings) as s:
        insert = (postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert)
        s.execute(insert(LoginThrottle).values(key=key, failures=0, window_start=now)
                  .on_conflict_do_nothing(index_elements=["key"]))
        s.execute(update(LoginThrottle).where(LoginThrottle.key == key).values(
            failures=case((window_open, LoginThrottle.failures + 1), else_=1),
            window_start=case((window_open, LoginThrottle.window_start), else_=now)))
        row = s.get(LoginThrottle, key)
        already = row.locked_until is not None and _aware(row.locked_until) > now
        if row.failures >= limit and not already:
            row.locked_until = now + LOCKOUT
            return True
    return False


def lockout_state(settings: Settings, name: str) -> datetime | None:
    """Until when a user name is locked out, or None."""
    with session_scope(settings) as s:
        until = s.scalar(select(LoginThrottle.locked_until).where(LoginThrottle.key == _user_key(name)))
    return _aware(until) if until is not None and _aware(until) > utcnow() else None


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
        return _memberships(s, user_id)


#: Built once: every request reads its user's memberships and extra actions, and building
#: the statements cost more than running them.
_MEMBERSHIPS = (select(CaseMembership.case_id, CaseMembership.access)
                .where(CaseMembership.user_id == bindparam("user_id")))
_EXTRA_ACTIONS = select(UserAction.action).where(UserAction.user_id == bindparam("user_id"))


def _memberships(s, user_id: int) -> dict[str, str]:
    return dict(s.execute(_MEMBERSHIPS, {"user_id": user_id}).all())


def rights(settings: Settings, user_id: int) -> tuple[dict[str, str], frozenset[str]]:
    """One user's case memberships and extra actions, read together: what every request
    needs to know of its user, in one transaction (kept as :func:`token_holder` keeps them)."""
    cases, extra = _kept.kept_or_read(
        settings, ("user", user_id),
        lambda conn: (_memberships(conn, user_id), _extra_actions(conn, user_id)))
    return dict(cases), extra


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
    if user is not None:
        sessions.revoke_for_user(settings, user.id)
    return password


def set_password(settings: Settings, name: str, password: str) -> None:
    """Replace a user's password with one they chose; it is no longer one-time. Every open
    session of the user ends (one may have been opened with the old password by someone
    else); the web page that changes it gives its own session a new id and goes on."""
    check_password_strength(password)
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"no user named {name!r}")
        user.password_hash = hash_password(password)
        user.must_change_password = False
    sessions.revoke_for_user(settings, user.id)


def revoke_case(settings: Settings, name: str, case_id: str) -> bool:
    """End ``name``'s membership of ``case_id``; False if there was none."""
    user = get_user(settings, name)
    with session_scope(settings) as s:
        row = s.scalar(select(CaseMembership).where(
            CaseMembership.user_id == user.id, CaseMembership.case_id == case_id))
        if row is None:
            return False
        s.delete(row)
        return True


def list_users(settings: Settings) -> list[User]:
    with session_scope(settings) as s:
        return list(s.scalars(select(User).order_by(User.name)))


def case_members(settings: Settings) -> list[tuple[str, str, str]]:
    """(case_id, user name, access) for every membership."""
    with session_scope(settings) as s:
        rows = s.execute(select(CaseMembership.case_id, User.name, CaseMembership.access)
                         .join(User, User.id == CaseMembership.user_id)
                         .order_by(CaseMembership.case_id, User.name))
        return [tuple(r) for r in rows]


# -- TOTP second factor ----------------------------------------------------------------------

#: Roles that must use a second factor (DESIGN.md section 5: required for administrators).
TOTP_REQUIRED_ROLES = frozenset({"admin"})
TOTP_ISSUER = "CaseGraph"


def totp_required(user) -> bool:
    return user.role in TOTP_REQUIRED_ROLES


def totp_begin(settings: Settings, name: str) -> str:
    """Start (or restart) enrolment: a new secret, not yet in force; returns the otpauth URI."""
    import pyotp

    secret = pyotp.random_base32()
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"no user named {name!r}")
        if user.totp_enabled:
            raise AccountError(f"{name} already uses a second factor; reset it first")
        user.totp_secret, user.totp_last_step = secret, None
    return pyotp.TOTP(secret).provisioning_uri(name=name, issuer_name=TOTP_ISSUER)


def totp_pending_uri(settings: Settings, name: str) -> str | None:
    """The otpauth URI of an enrolment begun but not confirmed, if any."""
    import pyotp

    user = get_user(settings, name)
    if user.totp_enabled or not user.totp_secret:
        return None
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=name, issuer_name=TOTP_ISSUER)


def totp_check(settings: Settings, name: str, code: str, *, confirm: bool = False) -> bool:
    """Whether ``code`` is the user's current code (one step of clock drift allowed), never
    accepting the same time step twice. With ``confirm``, a good code puts enrolment in force."""
    import pyotp

    code = "".join(ch for ch in (code or "") if ch.isdigit())
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None or not user.totp_secret or (user.totp_enabled == confirm):
            return False
        totp = pyotp.TOTP(user.totp_secret)
        now = int(utcnow().timestamp())
        for drift in (0, -1, 1):
            step = now // totp.interval + drift
            if hmac_equal(totp.at(step * totp.interval), code):
                if user.totp_last_step is not None and step <= user.totp_last_step:
                    return False  # replayed
                user.totp_last_step = step
                if confirm:
                    user.totp_enabled = True
                return True
    return False


def totp_reset(settings: Settings, name: str) -> None:
    """Remove a user's second factor: they enrol again (administrators before anything else)."""
    with session_scope(settings) as s:
        user = s.scalar(select(User).where(User.name == name))
        if user is None:
            raise AccountError(f"no user named {name!r}")
        user.totp_secret, user.totp_enabled, user.totp_last_step = None, False, None


def hmac_equal(a: str, b: str) -> bool:
    import hmac

    return hmac.compare_digest(a.encode(), b.encode())


def count_login_failure(settings: Settings, name: str, client: str) -> tuple[str, ...]:
    """Count a failure that came after a right password (a wrong second-factor code) like any
    other; returns what it locked."""
    return tuple(what for what, key, limit in (
        ("user", _user_key(name), USER_FAILURES), ("address", _address_key(client), ADDRESS_FAILURES))
        if _count_failure(settings, key, limit))


# -- extra actions -------------------------------------------------------------------------

#: Actions that make an administrator: never an extra grant, since the admin role is what
#: requires a second factor and keeps its holder out of case data (DESIGN.md section 5).
ADMIN_ACTIONS = frozenset({"manage-users", "manage-cases", "read-audit"})
#: Actions that tell of cases one cannot see (deconfliction hits, covert owners' notices; the
#: cross-case report carries hits): never granted to a role kept out of case data, or an
#: administrator could give them to themselves or a prosecutor and check hits across all cases.
HIT_ACTIONS = frozenset({"check-hit", "read-notifications", "view-cross-case"})
NO_HIT_ROLES = frozenset({"admin", "prosecutor", "operator"})


def grant_action(settings: Settings, name: str, action: str, granted_by: str) -> bool:
    """Give ``name`` one action beyond their role's; False if they had the grant already.

    :raise AccountError: an unknown action, an administrator's action, a hit action for a role
        kept out of case data (:data:`NO_HIT_ROLES`), or no such user.
    """
    from graphapp.access import ACTIONS

    if action not in ACTIONS:
        raise AccountError(f"unknown action {action!r}; actions are {', '.join(sorted(ACTIONS))}")
    if action in ADMIN_ACTIONS:
        raise AccountError(f"{action} is an administrator's action: give the admin role instead")
    user = get_user(settings, name)
    if action in HIT_ACTIONS and user.role in NO_HIT_ROLES:
        raise AccountError(f"{action} tells of cases one cannot see: not for the {user.role} role")
    with session_scope(settings) as s:
        if s.scalar(select(UserAction).where(UserAction.user_id == user.id,
                                             UserAction.action == action)) is not None:
            return False
        s.add(UserAction(user_id=user.id, action=action, granted_by=granted_by))
    return True


def revoke_action(settings: Settings, name: str, action: str) -> bool:
    """Take back an extra grant; False if ``name`` had none for ``action``."""
    user = get_user(settings, name)
    with session_scope(settings) as s:
        return s.execute(delete(UserAction).where(UserAction.user_id == user.id,
                                                  UserAction.action == action)).rowcount > 0


def extra_actions(settings: Settings, user_id: int | None) -> frozenset[str]:
    """The actions granted to one user beyond their role's."""
    if user_id is None:
        return frozenset()
    with session_scope(settings) as s:
        return _extra_actions(s, user_id)


def _extra_actions(s, user_id: int) -> frozenset[str]:
    return frozenset(s.scalars(_EXTRA_ACTIONS, {"user_id": user_id}))


def all_extra_actions(settings: Settings) -> dict[str, list[str]]:
    """User name -> their extra actions, for the lists."""
    with session_scope(settings) as s:
        rows = s.execute(select(User.name, UserAction.action).join(User, User.id == UserAction.user_id)
                         .order_by(User.name, UserAction.action))
        out: dict[str, list[str]] = {}
        for name, action in rows:
            out.setdefault(name, []).append(action)
        return out


# -- case access requests ------------------------------------------------------------------


class NotOwner(AccountError):
    """Only an owner of the case may decide a request for it."""


def request_case(settings: Settings, name: str, case_id: str, access: str, reason: str = "") -> int:
    """Ask for ``access`` to ``case_id`` for ``name``; nothing changes until an owner of the case
    approves (:func:`decide_request`). Returns the request's id.

    :raise AccountError: bad access, a membership already as good, or a request already pending.
    """
    if access not in model.CASE_ACCESS:
        raise AccountError(f"access must be one of {', '.join(model.CASE_ACCESS)}")
    user = get_user(settings, name)
    held = memberships(settings, user.id).get(case_id)
    if held is not None and model.CASE_ACCESS.index(held) >= model.CASE_ACCESS.index(access):
        raise AccountError(f"{name} already has {held} access to {case_id}")
    with session_scope(settings) as s:
        pending = s.scalar(select(CaseAccessRequest.id).where(
            CaseAccessRequest.user_id == user.id, CaseAccessRequest.case_id == case_id,
            CaseAccessRequest.status == "pending"))
        if pending is not None:
            raise AccountError(f"request {pending} for {case_id} is already waiting for an owner")
        row = CaseAccessRequest(user_id=user.id, case_id=case_id, access=access, reason=reason[:2000])
        s.add(row)
        try:  # a request made at the same moment elsewhere: the partial unique index refuses it
            s.flush()
        except IntegrityError as exc:
            raise AccountError(f"a request for {case_id} is already waiting for an owner") from exc
        return row.id


def _request_dict(row: CaseAccessRequest, user_name: str) -> dict:
    return {"id": row.id, "user": user_name, "case_id": row.case_id, "access": row.access,
            "reason": row.reason, "status": row.status, "requested_at": _aware(row.requested_at),
            "decided_by": row.decided_by,
            "decided_at": _aware(row.decided_at) if row.decided_at else None}


def list_requests(settings: Settings, *, status: str | None = "pending",
                  case_ids: Iterable[str] | None = None, user: str | None = None) -> list[dict]:
    """Access requests, oldest first: by status, for some cases, or of one user."""
    query = (select(CaseAccessRequest, User.name).join(User, User.id == CaseAccessRequest.user_id)
             .order_by(CaseAccessRequest.id))
    if status:
        query = query.where(CaseAccessRequest.status == status)
    if case_ids is not None:
        query = query.where(CaseAccessRequest.case_id.in_(list(case_ids)))
    if user:
        query = query.where(User.name == user)
    with session_scope(settings) as s:
        return [_request_dict(row, name) for row, name in s.execute(query)]


def pending_request_count(settings: Settings, case_ids: Iterable[str]) -> int:
    """How many access requests for these cases wait for a decision (the owners' menu)."""
    cases = list(case_ids)
    if not cases:
        return 0
    with session_scope(settings) as s:
        return s.scalar(select(func.count(CaseAccessRequest.id)).where(
            CaseAccessRequest.status == "pending", CaseAccessRequest.case_id.in_(cases))) or 0


def get_request(settings: Settings, request_id: int) -> dict:
    with session_scope(settings) as s:
        found = s.execute(select(CaseAccessRequest, User.name)
                          .join(User, User.id == CaseAccessRequest.user_id)
                          .where(CaseAccessRequest.id == request_id)).first()
    if found is None:
        raise AccountError(f"no access request {request_id}")
    return _request_dict(*found)


def decide_request(settings: Settings, request_id: int, decider: str, approve: bool) -> dict:
    """Approve (make the membership) or reject a pending request, as ``decider``, who must be an
    owner of the request's case and not its requester. Returns the request as decided.

    :raise NotOwner: ``decider`` does not own the case, or asked for it themselves.
    :raise AccountError: no such request, or it was decided already.
    """
    request = get_request(settings, request_id)
    judge = get_user(settings, decider)
    if judge.disabled:
        raise AccountError(f"{decider} is disabled")
    if judge.name == request["user"]:
        raise NotOwner("no one decides their own request")
    if memberships(settings, judge.id).get(request["case_id"]) != "owner":
        raise NotOwner(f"only an owner of {request['case_id']} may decide request {request_id}")
    requester = get_user(settings, request["user"])
    with session_scope(settings) as s:
        # One decision wins: the row changes only while it is still pending.
        changed = s.execute(update(CaseAccessRequest).where(
            CaseAccessRequest.id == request_id, CaseAccessRequest.status == "pending").values(
            status="approved" if approve else "rejected", decided_by=decider,
            decided_at=utcnow())).rowcount
        if not changed:
            raise AccountError(f"request {request_id} was decided already ({request['status']})")
        if approve:
            row = s.scalar(select(CaseMembership).where(
                CaseMembership.user_id == requester.id, CaseMembership.case_id == request["case_id"]))
            granted_by = f"{decider} (request {request_id})"
            if row is None:
                s.add(CaseMembership(user_id=requester.id, case_id=request["case_id"],
                                     access=request["access"], granted_by=granted_by))
            elif model.CASE_ACCESS.index(row.access) < model.CASE_ACCESS.index(request["access"]):
                row.access, row.granted_by, row.granted_at = request["access"], granted_by, utcnow()
            # else: access as good or better was granted since the request; it stays.
    return get_request(settings, request_id)


def case_owners(settings: Settings, case_id: str) -> list[str]:
    """The names of the owners of ``case_id`` (disabled accounts included)."""
    with session_scope(settings) as s:
        return list(s.scalars(select(User.name).join(CaseMembership, CaseMembership.user_id == User.id)
                              .where(CaseMembership.case_id == case_id,
                                     CaseMembership.access == "owner").order_by(User.name)))


def _refuse_admin_grantee(settings: Settings, name: str) -> None:
    if get_user(settings, name).role == "admin":
        raise AccountError(f"{name} is an administrator: an administrator becomes a member only "
                           "by a request an owner of the case approves")


def grant_case_by(settings: Settings, granter: str, name: str, case_id: str, access: str) -> int | None:
    """An administrator's grant. A case that has an owner is the owners' to give: the grant
    becomes a pending request for ``name`` that an owner approves or rejects
    (:func:`decide_request`), and its id is returned. A case with no owner yet (just created or
    loaded) is granted at once (None). Never to oneself or to another administrator: an
    administrator's only way to a case is :func:`request_case` and an owner's approval
    (DESIGN.md section 5), or two administrators would grant each other.

    Known limit (README, security): an administrator who resets a real owner's password and
    second factor can log in as that owner; that is account takeover, and the audit log shows it.
    """
    if granter == name:
        raise AccountError("you cannot grant yourself a case: request it, and an owner of the case "
                           "approves")
    if access not in model.CASE_ACCESS:
        raise AccountError(f"access must be one of {', '.join(model.CASE_ACCESS)}")
    _refuse_admin_grantee(settings, name)
    if case_owners(settings, case_id):
        return request_case(settings, name, case_id, access,
                            reason=f"asked for by administrator {granter}")
    grant_case(settings, name, case_id, access, granted_by=granter)
    return None


def grant_case_by_operator(settings: Settings, operator: str, name: str, case_id: str,
                           access: str) -> None:
    """A grant from the command line by whoever runs it (``operator:<os user>``): at once, as
    shell access to the installation can do anything anyway, but never to an administrator."""
    _refuse_admin_grantee(settings, name)
    grant_case(settings, name, case_id, access, granted_by=operator)


def last_logins(settings: Settings) -> dict[str, datetime]:
    """User name -> their last successful log-in, as the audit log recorded it."""
    from sqlalchemy import func

    from graphapp.db import AuditRecord

    with session_scope(settings) as s:
        rows = s.execute(select(AuditRecord.actor, func.max(AuditRecord.at))
                         .where(AuditRecord.action == "login", AuditRecord.outcome == "ok")
                         .group_by(AuditRecord.actor))
        return {name: _aware(at) for name, at in rows}


def active_token_counts(settings: Settings) -> dict[str, int]:
    """User name -> how many of their API tokens are neither revoked nor expired."""
    from sqlalchemy import func

    with session_scope(settings) as s:
        rows = s.execute(select(User.name, func.count(ApiToken.id))
                         .join(User, User.id == ApiToken.user_id)
                         .where(ApiToken.revoked_at.is_(None),
                                ApiToken.expires_at.is_(None) | (ApiToken.expires_at > utcnow()))
                         .group_by(User.name))
        return dict(rows.all())
