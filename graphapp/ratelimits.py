"""Request rate limits (Flask-Limiter), beside the log-in lock-out of ``graphapp.accounts``.

The lock-out counts failed log-ins in the accounts database, so it holds across app servers;
these limits slow down a client that sends too much - someone fishing with hit checks, a
script looping over the API, a password sprayer - per app server (in-memory counters: with
several servers a client gets at most that many times the limit). Over a limit: 429 with the
JSON error of DESIGN.md section 7 (HTML on pages).
"""

from __future__ import annotations

import hashlib
import time

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from limits.storage.memory import MemoryStorage

from graphapp.settings import Settings

#: Log-in attempts per client address (the lock-out stops guessing long before this).
LOGIN = "60 per minute"
#: Hit checks per credential: each one asks about an identifier the user may not see.
HIT_CHECK = "60 per minute"
#: Everything else under /api/v1, per credential.
API = "1200 per minute"


def credential() -> str:
    """Who is asking: a digest of the bearer token or the session cookie, else the address.

    Limits run before the view authenticates anyone, so they count per credential presented
    (an invalid one is answered 401 by the view all the same)."""
    presented = request.headers.get("Authorization", "") or request.cookies.get("session", "")
    if presented:
        return "cred:" + hashlib.sha256(presented.encode()).hexdigest()[:32]
    return "addr:" + (get_remote_address() or "unknown")


class SweptMemoryStorage(MemoryStorage):
    """limits' in-memory counters, their stale keys swept on use at most once a second.

    The stock storage starts a timer thread 10 ms ahead to sweep them, again after each
    request that finds none waiting: about a thread per API request under steady use, half
    a millisecond of every request's CPU. Counts are unchanged (a stale window is reset when
    read either way); only when stale keys leave memory differs.
    """

    STORAGE_SCHEME = ["casegraph-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, **options) -> None:
        self._next_sweep = 0.0
        super().__init__(uri, **options)

    def _MemoryStorage__schedule_expiry(self) -> None:  # replaces the thread-starting one
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def init_app(app: Flask, settings: Settings) -> Limiter:
    """Attach the limits to the registered views: call after every blueprint is registered."""
    limiter = Limiter(key_func=credential, app=app, storage_uri="casegraph-memory://",
                      enabled=settings.rate_limits, headers_enabled=True)
    # The view wrappers hold the limiter weakly, and Flask-Limiter's own registry is weak too.
    app.extensions["casegraph_limiter"] = limiter
    _limit(app, limiter, "auth.login", LOGIN, key_func=get_remote_address, methods=["POST"])
    _limit(app, limiter, "api.check_hit", HIT_CHECK)
    for endpoint in list(app.view_functions):
        if endpoint.startswith("api.") and endpoint != "api.check_hit":
            _limit(app, limiter, endpoint, API, scope="api")
    return limiter


def _limit(app: Flask, limiter: Limiter, endpoint: str, rule: str, **options) -> None:
    view = app.view_functions.get(endpoint)
    if view is not None:
        app.view_functions[endpoint] = limiter.limit(rule, **options)(view)
