"""The JSON API under ``/api/v1`` (DESIGN.md section 7)."""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from graphapp import audit
from graphapp.services import search as search_service
from graphapp.views import context
from graphapp.views.errors import ApiError

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def require_actor():
    """Every API call names its user with a Bearer token."""
    if context.actor_from_bearer() is None:
        raise ApiError(401, "unauthorized", "a valid API token is required (Authorization: Bearer …)")


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_parameter", f"{name} must be a whole number") from exc
    if not low <= value <= high:
        raise ApiError(400, "bad_parameter", f"{name} must be between {low} and {high}")
    return value


@bp.get("/search")
def search():
    """Search the caller's visible entities; a phone in any format finds its E.164 entity."""
    q = request.args.get("q", "")
    limit = _int_arg("limit", search_service.DEFAULT_LIMIT, 1, 100)
    try:
        results = search_service.search(context.store(), g.actor, q, limit)
    except search_service.BadQuery as exc:
        raise ApiError(400, "bad_parameter", str(exc)) from exc
    audit.record(context.settings(), audit.AuditEvent(
        action="search", actor=g.actor.name, client=context.client_address(),
        cases=tuple(c for r in results for c in r["cases"]),
        detail={"q": q, "results": len(results)},
    ))
    return jsonify({"results": results})
