"""Health page for load balancers and the operator: is the graph store answering?"""

from __future__ import annotations

from flask import Blueprint, jsonify

from graphapp.store import StoreUnavailable
from graphapp.views import context
from graphapp.views.guard import public

bp = Blueprint("health", __name__)


@bp.get("/health")
@public
def health():
    """Say whether the app and its graph store are up (503 when the store is not)."""
    try:
        store = context.store()
        store.ping()
    except StoreUnavailable:
        return jsonify({"status": "unavailable", "graph": "unavailable"}), 503
    return jsonify({"status": "ok", "graph": store.backend})
