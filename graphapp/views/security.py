"""Security headers on every response, and the request size limit (DESIGN.md section 5, "Output").

The app's pages load scripts and styles from the app only (no inline script: data travels as
JSON), may not be framed, and send no Referer (ids can hold personal data). A request body
larger than ``MAX_CONTENT_LENGTH`` is refused with 413 before any view runs, whether or not
the view would read it (Werkzeug alone refuses only when the body is read). A chunked body has
no Content-Length, and Werkzeug stops reading it at the limit without an error (the view then
sees a cut body, or none): :class:`ChunkedBodyLimit` reads it first, up to the limit, and gives
the app a body with its length, or one that declares itself too large.
"""

from __future__ import annotations

import io

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wsgi import get_content_length

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
#: Browser features the app never uses.
PERMISSIONS = "camera=(), microphone=(), geolocation=()"


class ChunkedBodyLimit:
    """WSGI middleware: a body without a Content-Length (chunked, from a server that terminates
    the input) is read here up to ``MAX_CONTENT_LENGTH`` and handed on with its length; a longer
    one is handed on as an empty body whose Content-Length exceeds the limit, which the
    before-request check (and Werkzeug, should anything read it first) answers with 413."""

    def __init__(self, wsgi_app, app: Flask):
        self.wsgi_app, self.app = wsgi_app, app

    def __call__(self, environ, start_response):
        limit = self.app.config.get("MAX_CONTENT_LENGTH")
        if limit is not None and environ.get("wsgi.input_terminated") \
                and get_content_length(environ) is None:
            body, stream = b"", environ["wsgi.input"]
            while len(body) <= limit:
                chunk = stream.read(limit + 1 - len(body))
                if not chunk:
                    break
                body += chunk
            environ.pop("HTTP_TRANSFER_ENCODING", None)
            environ["wsgi.input"] = io.BytesIO(b"" if len(body) > limit else body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.wsgi_app(environ, start_response)


def init_app(app: Flask) -> None:
    app.wsgi_app = ChunkedBodyLimit(app.wsgi_app, app)  # type: ignore[method-assign]

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
