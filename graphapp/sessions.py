"""Server-side web sessions: the cookie holds a random id, the accounts database the rest.

Flask's default session is a signed cookie: log-out cannot end it (a copy of the cookie stays
valid) and nothing can revoke it. Here the browser gets only an opaque random id (HttpOnly,
SameSite=Strict, Secure behind TLS); the ``user_sessions`` row holds its SHA-256, its owner,
the session's data (Flask-Login's keys, Flask-WTF's CSRF token, flashed messages) and its
time-outs, on every app server at once. A session ends when its row is revoked (log-out, an
administrator, a disabled account, a new password), after ``session_idle_minutes`` without a
request, or ``session_absolute_hours`` after it began. Its id changes whenever the user it
belongs to changes (log-in, log-out) and on :func:`rotate`, so a cookie planted before
log-in never becomes a logged-in one (session fixation).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Request, Response, request
from flask import session as current_session
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, select, update
from werkzeug.datastructures import CallbackDict

from graphapp.db import UserSession, session_scope, utcnow
from graphapp.settings import Settings

#: last_seen_at is written at most this often, not on every request (idle time-out ± this).
TOUCH_EVERY = timedelta(seconds=60)

_serializer = TaggedJSONSerializer()  # what Flask's own cookie sessions use: keeps tuples etc.


def sid_hash(sid: str) -> str:
    """What the database keeps of a session id."""
    return hashlib.sha256(sid.encode("utf-8")).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    """``flask.session`` for one request: the row's data, plus which row it came from."""

    def __init__(self, data: dict[str, Any] | None = None, sid: str | None = None,
                 user_id: int | None = None):
        def on_update(self_: ServerSession) -> None:
            self_.modified = True

        super().__init__(data or {}, on_update)
        #: The cookie's session id, None for a session not stored yet.
        self.sid = sid
        #: The row's owner as it was when the request began.
        self.user_id = user_id
        #: Set by :func:`rotate`: store the data under a new id at the end of the request.
        self.renew = False
        self.modified = False


def rotate() -> None:
    """Give the current session a new id at the end of this request, ending the old one."""
    session = current_session._get_current_object()
    if isinstance(session, ServerSession):
        session.renew = True


def session_owner() -> int | None:
    """The user id that the current request's session row belongs to."""
    session = current_session._get_current_object()
    return session.user_id if isinstance(session, ServerSession) else None


class DatabaseSessionInterface(SessionInterface):
    """Flask's session interface over the ``user_sessions`` table."""

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        sid = request.cookies.get(self.get_cookie_name(app), "")
        found = _load(app.config["CASEGRAPH_SETTINGS"], sid) if sid else None
        if found is None:
            return ServerSession()
        data, user_id = found
        return ServerSession(data, sid=sid, user_id=user_id)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not isinstance(session, ServerSession):
            raise TypeError("this interface saves only the sessions it opened")
        settings: Settings = app.config["CASEGRAPH_SETTINGS"]
        response.vary.add("Cookie")
        user_id = _user_id(session)
        if session.sid and (session.renew or user_id != session.user_id or not session):
            _revoke_sid(settings, session.sid)
            session.sid = None
        name = self.get_cookie_name(app)
        if not session:
            if request.cookies.get(name):
                response.delete_cookie(name, **self._cookie_options(app))
            return
        if session.sid is None:
            sid = _create(settings, dict(session), user_id, client=request.remote_addr or "",
                          user_agent=request.user_agent.string)
            # No Expires: the browser forgets it on closing; the row's time-outs end it anyway.
            response.set_cookie(name, sid, **self._cookie_options(app))
        elif session.modified:
            with session_scope(settings) as s:
                s.execute(update(UserSession).where(UserSession.sid_hash == sid_hash(session.sid))
                          .values(data=_serializer.dumps(dict(session))))


    def _cookie_options(self, app: Flask) -> dict[str, Any]:
        """HttpOnly, SameSite=Strict and Secure as the app's SESSION_COOKIE_* settings say."""
        return {"path": self.get_cookie_path(app), "domain": self.get_cookie_domain(app),
                "secure": self.get_cookie_secure(app), "httponly": self.get_cookie_httponly(app),
                "samesite": self.get_cookie_samesite(app)}


def _user_id(session: ServerSession) -> int | None:
    """Who the session's data says is logged in (Flask-Login's ``_user_id``)."""
    raw = session.get("_user_id")
    return int(raw) if raw is not None and str(raw).isdigit() else None


def _live(settings: Settings, now: datetime):
    """The SQL condition for a session that has not ended."""
    idle = timedelta(minutes=settings.session_idle_minutes)
    return (UserSession.revoked_at.is_(None) & (UserSession.expires_at > now)
            & (UserSession.last_seen_at > now - idle))


def _load(settings: Settings, sid: str) -> tuple[dict[str, Any], int | None] | None:
    """The data and owner of a live session, noting that it was used; None if it has ended."""
    now = utcnow()
    with session_scope(settings) as s:
        row = s.scalar(select(UserSession).where(UserSession.sid_hash == sid_hash(sid),
                                                 _live(settings, now)))
        if row is None:
            return None
        if now - _aware(row.last_seen_at) >= TOUCH_EVERY:
            row.last_seen_at = now
        return (_serializer.loads(row.data) if row.data else {}), row.user_id


def _create(settings: Settings, data: dict[str, Any], user_id: int | None, *, client: str,
            user_agent: str) -> str:
    """Store a new session; return its id (for the cookie only: the row keeps its hash)."""
    sid = secrets.token_urlsafe(32)
    now = utcnow()
    with session_scope(settings) as s:
        s.execute(delete(UserSession).where(~_live(settings, now)))  # ended ones are of no use
        s.add(UserSession(sid_hash=sid_hash(sid), user_id=user_id, data=_serializer.dumps(data),
                          created_at=now, last_seen_at=now,
                          expires_at=now + timedelta(hours=settings.session_absolute_hours),
                          client=client[:64], user_agent=user_agent[:256]))
    return sid


def _revoke_sid(settings: Settings, sid: str) -> None:
    with session_scope(settings) as s:
        s.execute(update(UserSession).where(UserSession.sid_hash == sid_hash(sid),
                                            UserSession.revoked_at.is_(None))
                  .values(revoked_at=utcnow()))


def revoke(settings: Settings, session_id: int) -> bool:
    """End one session (by its row id, as :func:`active` lists it); False if it had ended."""
    with session_scope(settings) as s:
        done = s.execute(update(UserSession).where(UserSession.id == session_id,
                                                   UserSession.revoked_at.is_(None))
                         .values(revoked_at=utcnow()))
        return done.rowcount > 0


def revoke_for_user(settings: Settings, user_id: int) -> int:
    """End every session of one user at once; return how many were still open."""
    now = utcnow()
    with session_scope(settings) as s:
        done = s.execute(update(UserSession).where(UserSession.user_id == user_id,
                                                   _live(settings, now))
                         .values(revoked_at=now))
        return done.rowcount


def active(settings: Settings, user_id: int) -> list[UserSession]:
    """A user's live sessions, newest first (for an administrator deciding what to revoke)."""
    with session_scope(settings) as s:
        return list(s.scalars(select(UserSession).where(
            UserSession.user_id == user_id, _live(settings, utcnow()))
            .order_by(UserSession.created_at.desc())))


def _aware(when: datetime) -> datetime:
    """SQLite returns naive datetimes for aware columns; they were written in UTC."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)

