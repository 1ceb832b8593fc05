"""CaseGraph: a secure case-relationship graph explorer (DESIGN.md)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from graphapp.settings import Settings


def create_app(settings: Settings | None = None, test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: settings, store accessor, security headers and blueprints."""
    settings = settings or Settings.from_env()
    settings.ensure_data_dir()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.flask_secret_key(),
        CASEGRAPH_SETTINGS=settings,
        JSON_SORT_KEYS=False,
        MAX_CONTENT_LENGTH=1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
    )
    if test_config:
        app.config.update(test_config)

    from graphapp.views import api, errors, health, security

    security.init_app(app)
    errors.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(api.bp)
    return app
