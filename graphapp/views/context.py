"""Per-request access to the settings, the store and the acting user."""

from __future__ import annotations

from flask import current_app, g, request

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
    user = accounts.user_for_token(settings(), token.strip())
    if user is None:
        return None
    actor = Actor.from_user(settings(), user)
    g.actor = actor
    return actor
