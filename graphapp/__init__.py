"""CaseGraph: a secure case-relationship graph explorer (DESIGN.md)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from graphapp.settings import Settings


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, log-in, CSRF, security headers, error pages and blueprints."""
    settings = settings or Settings.from_env()
    settings.ensure_data_dir()
    from graphapp.services.saved_queries import check_library

    check_library(settings.cypher_dir)  # a bad saved query header stops the start, loudly
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.flask_secret_key(),
        CASEGRAPH_SETTINGS=settings,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        SESSION_COOKIE_NAME="casegraph_session",
        WTF_CSRF_TIME_LIMIT=None,
        # Flask-WTF's HTTPS check wants a same-origin Referer, which ``Referrer-Policy:
        # no-referrer`` removes from every form post; the token and SameSite=Strict remain.
        WTF_CSRF_SSL_STRICT=False,
    )
    if test_config:
        app.config.update(test_config)
    if settings.proxy_hops:
        # Behind that many reverse proxies, the client address (audit log, lock-out counts) and
        # the scheme come from their X-Forwarded-For and X-Forwarded-Proto headers. Never set it
        # without a proxy that overwrites them: a client could then name any address it liked.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops,  # type: ignore[method-assign]
                                x_proto=settings.proxy_hops)

    from flask_wtf.csrf import CSRFProtect

    from graphapp.sessions import DatabaseSessionInterface
    from graphapp.views import admin, api, auth, errors, exports, health, security, ui

    app.session_interface = DatabaseSessionInterface()  # server-side: revocable, rotated at login
    csrf = CSRFProtect(app)
    csrf.exempt(api.bp)  # the API checks CSRF itself for session calls; tokens need none
    csrf.exempt(exports.api_bp)  # the same checks, through api.require_actor
    auth.login_manager.init_app(app)
    app.before_request(auth.require_password_change)
    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(ui.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(admin.owner_bp)
    app.register_blueprint(exports.api_bp)
    app.register_blueprint(exports.bp)
    from graphapp import ratelimits

    ratelimits.init_app(app, settings)
    return app
