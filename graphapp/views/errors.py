"""Errors: JSON ``{"error": {"code", "message"}}`` for the API, a plain page for the UI.

Never a stack trace or a driver message; a store that is down answers 503.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from graphapp.access import Forbidden
from graphapp.services.graph import NotFound
from graphapp.services.hits import BadIdentifier
from graphapp.services.notifications import NotificationNotFound
from graphapp.services.saved_queries import BadParameters, UnknownQuery
from graphapp.store import StoreUnavailable

log = logging.getLogger(__name__)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str):
    if request.path.startswith("/api/") or request.path == "/health":
        response = jsonify({"error": {"code": code, "message": message}})
        response.status_code = status
        return response
    return render_template("error.html", status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message)

    @app.errorhandler(NotFound)
    @app.errorhandler(UnknownQuery)
    def not_found(exc):
        return error_response(404, "not_found", "No such entity, or not one you may see.")

    @app.errorhandler(NotificationNotFound)
    def notification_not_found(exc):
        return error_response(404, "not_found", "No such notification, or not one of yours.")

    @app.errorhandler(BadIdentifier)
    def bad_identifier(exc: BadIdentifier):
        return error_response(400, "bad_parameter", str(exc))

    @app.errorhandler(Forbidden)
    def forbidden(exc: Forbidden):
        return error_response(403, "forbidden", str(exc))

    @app.errorhandler(BadParameters)
    def bad_parameters(exc: BadParameters):
        return error_response(400, "bad_parameter", str(exc))

    @app.errorhandler(CSRFError)
    def csrf_failed(exc: CSRFError):
        return error_response(400, "csrf_failed", "The form expired or was not sent by this site.")

    @app.errorhandler(StoreUnavailable)
    def store_down(exc: StoreUnavailable):
        log.error("graph store unavailable: %s", exc)
        return error_response(503, "store_unavailable",
                              "The graph store is not available; try again shortly.")

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "_")
        return error_response(exc.code or 500, code, exc.description or exc.name)

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "Something went wrong; it has been logged.")
