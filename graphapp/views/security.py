"""Security headers on every response, and the request size limit (DESIGN.md section 5, "Output").

The app's pages load scripts and styles from the app only (no inline script: data travels as
JSON), may not be framed, and send no Referer (ids can hold personal data). A request body
larger than ``MAX_CONTENT_LENGTH`` is refused with 413 before any view runs, whether or not
the view would read it (Werkzeug alone refuses only when the body is read).
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
#: Browser features the app never uses.
PERMISSIONS = "camera=(), microphone=(), geolocation=()"


def init_app(app: Flask) -> None:
    @app.before_request
    def limit_size():
        limit = current_app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and (request.content_length or 0) > limit:
            raise RequestEntityTooLarge()

    @app.after_request
    def headers(response):
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Cross-Origin-Resource-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = PERMISSIONS
        response.headers.setdefault("Cache-Control", "no-store")
        if current_app.config.get("SESSION_COOKIE_SECURE"):  # served over TLS
            response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        return response
