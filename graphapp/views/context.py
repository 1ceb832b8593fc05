"""Per-request access to the settings, the store and the acting user."""

from __future__ import annotations

from flask import current_app, g, request
from flask_login import current_user

from graphapp import accounts
from graphapp.access import Actor
from graphapp.settings import Settings
from graphapp.store import GraphStore, get_store


def settings() -> Settings:
    return current_app.config["CASEGRAPH_SETTINGS"]


def store() -> GraphStore:
    """The process's long-lived store; raises StoreUnavailable (answered with 503) if down."""
    return get_store(settings())


def client_address() -> str:
    return request.remote_addr or ""


def actor_from_bearer() -> Actor | None:
    """The actor named by an ``Authorization: Bearer`` API token, or None."""
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    found = accounts.token_holder(settings(), token.strip())
    if found is None:
        return None
    user, cases, extra = found
    g.actor = Actor(name=user.name, role=user.role, user_id=user.id, cases=cases, extra_actions=extra)
    g.auth = "token"
    return g.actor


def actor_from_session() -> Actor | None:
    """The actor logged in through the web pages, or None."""
    if not current_user.is_authenticated:
        return None
    cases, extra = accounts.rights(settings(), current_user.id)
    g.actor = Actor(name=current_user.name, role=current_user.role, user_id=current_user.id,
                    cases=cases, extra_actions=extra)
    g.auth = "session"
    return g.actor


def actor() -> Actor:
    """The request's actor (set by the blueprint's guard)."""
    return g.actor


def record(action: str, /, *, cases=(), outcome: str = "ok", purpose: str = "", **detail) -> None:
    """Append an audit record for the request's actor, with the purpose they stated if asked."""
    from graphapp import audit

    audit.record(settings(), audit.AuditEvent(
        action=action, actor=g.actor.name, outcome=outcome, cases=tuple(cases),
        client=client_address(), purpose=purpose, detail=detail))
