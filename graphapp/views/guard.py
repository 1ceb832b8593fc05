"""Declare, on every view, the action it needs; check it through the one decision function.

``@requires("view-entity")`` records the action on the view (so a test can map every route
to its action, none unchecked) and calls :func:`graphapp.access.ensure_allowed` before the
view runs. ``@public`` marks the few views anyone may reach (log-in, health, static files).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

from flask import g

from graphapp.access import ensure_allowed

F = TypeVar("F", bound=Callable)

#: Marker for views open to anyone, logged in or not.
PUBLIC = "public"
#: Marker for views any logged-in user may reach (their own account, log-out).
AUTHENTICATED = "authenticated"


def requires(action: str) -> Callable[[F], F]:
    """The view needs ``action`` (a verb from ``access.ROLE_ACTIONS``)."""

    def decorate(view: F) -> F:
        @wraps(view)
        def wrapper(*args, **kwargs):
            ensure_allowed(g.actor, action)
            return view(*args, **kwargs)

        wrapper.required_action = action  # type: ignore[attr-defined]
        return wrapper  # type: ignore[return-value]

    return decorate


def public(view: F) -> F:  # noqa: UP047 - one TypeVar shared by the three decorators
    view.required_action = PUBLIC  # type: ignore[attr-defined]
    return view


def authenticated(view: F) -> F:  # noqa: UP047
    """Any logged-in user (the blueprint's guard has checked the login already)."""
    view.required_action = AUTHENTICATED  # type: ignore[attr-defined]
    return view
