"""The JSON API under ``/api/v1`` (DESIGN.md section 7).

Scripts authenticate with ``Authorization: Bearer <token>``; the web pages' own scripts use
the session cookie, and then every state-changing call needs the CSRF token.
"""

from __future__ import annotations

from flask import Blueprint, g, jsonify, request

from graphapp.services import (
    analysis,
    detectors,
    graph,
    hits,
    layout,
    links,
    notifications,
    paths,
    suggestions,
)
from graphapp.services import saved_queries as saved
from graphapp.services import search as search_service
from graphapp.views import context
from graphapp.views.errors import ApiError
from graphapp.views.guard import requires

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.before_request
def require_actor():
    """Every API call names its user: a Bearer token, or the web session plus CSRF."""
    if context.actor_from_bearer() is not None:
        return
    if context.actor_from_session() is None:
        raise ApiError(401, "unauthorized", "a valid API token is required (Authorization: Bearer …)")
    from flask_login import current_user
    from flask_wtf.csrf import validate_csrf
    from wtforms.validators import ValidationError

    if current_user.must_change_password:
        raise ApiError(403, "password_change_required", "choose a new password first")
    if current_user.needs_totp:
        raise ApiError(403, "second_factor_required", "enrol a second factor first")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError as exc:
            raise ApiError(400, "csrf_failed", "missing or invalid CSRF token") from exc


def int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise ApiError(400, "bad_parameter", f"{name} must be a whole number") from exc
    if not low <= value <= high:
        raise ApiError(400, "bad_parameter", f"{name} must be between {low} and {high}")
    return value


@bp.get("/search")
@requires("search")
def search():
    """Search the caller's visible entities; a phone in any format finds its E.164 entity."""
    q = request.args.get("q", "")
    limit = int_arg("limit", search_service.DEFAULT_LIMIT, 1, 100)
    try:
        results = search_service.search(context.store(), g.actor, q, limit)
    except search_service.BadQuery as exc:
        raise ApiError(400, "bad_parameter", str(exc)) from exc
    context.record("search", cases={c for r in results for c in r["cases"]},
                   q=q, results=len(results))
    return jsonify({"results": results})


def flag_arg(name: str) -> bool:
    raw = request.args.get(name, "")
    if raw in ("", "0", "false", "no"):
        return False
    if raw in ("1", "true", "yes"):
        return True
    raise ApiError(400, "bad_parameter", f"{name} must be true or false")


@bp.get("/entities/<path:entity_id>/network")
@requires("view-network")
def entity_network(entity_id: str):
    """The entity's neighbourhood over visible facts, cases as leaves. Beyond DESIGN.md's
    ``hops`` and ``limit``: ``per_node`` (neighbours per expanded node), ``through_cases``,
    and ``explore=1`` (degrees, "N more" counts, fact dates) with ``layout=auto|radial|browser``
    and ``measure=degree|links|cases|betweenness`` (server-side positions and sizes)."""
    hops = int_arg("hops", 1, 1, graph.MAX_HOPS)
    limit = int_arg("limit", graph.DEFAULT_NODE_LIMIT, 1, graph.MAX_NODE_LIMIT)
    per_node = int_arg("per_node", graph.DEFAULT_PER_NODE, 1, graph.MAX_PER_NODE)
    explore = flag_arg("explore")
    store = context.store()
    view = graph.network(store, g.actor, entity_id, hops=hops, limit=limit, per_node=per_node,
                         through_cases=flag_arg("through_cases"), explore=explore)
    if explore:
        try:
            layout.lay_out(view, view["nodes"][0]["id"], request.args.get("layout", "auto"),
                           request.args.get("measure", ""))
        except layout.BadLayout as exc:
            raise ApiError(400, "bad_parameter", str(exc)) from exc
    context.record("view-network", cases={c for n in view["nodes"] for c in n["cases"]},
                   entity=entity_id, hops=hops, nodes=len(view["nodes"]))
    return jsonify(view)


@bp.get("/entities/<path:entity_id>/expand")
@requires("view-network")
def entity_expand(entity_id: str):
    """One node's visible neighbours, ``limit`` at a time from ``offset``, to merge into a
    drawn view: ``{"nodes", "edges", "truncated", "total", "offset", "more"}``."""
    offset = int_arg("offset", 0, 0, 10_000_000)
    limit = int_arg("limit", graph.DEFAULT_PER_NODE, 1, graph.MAX_PER_NODE)
    view = graph.expand(context.store(), g.actor, entity_id, offset=offset, limit=limit)
    context.record("expand", cases={c for n in view["nodes"] for c in n["cases"]},
                   entity=entity_id, offset=offset, nodes=len(view["nodes"]))
    return jsonify(view)


@bp.get("/entities/<path:entity_id>/network/analysis")
@requires("view-network")
def entity_network_analysis(entity_id: str):
    """Measures of the entity's visible network (``hops``, ``limit`` as for the network):
    degree, betweenness, eigenvector, Louvain communities, bridges, articulation points and
    components, with the view itself; ``include_cases=1`` keeps case nodes in the analysis."""
    hops = int_arg("hops", 2, 1, graph.MAX_HOPS)
    limit = int_arg("limit", 500, 1, analysis.MAX_NODES)
    view = graph.network(context.store(), g.actor, entity_id, hops=hops, limit=limit)
    try:
        result = analysis.analyse(view, include_cases=flag_arg("include_cases"))
    except analysis.BadAnalysis as exc:
        raise ApiError(400, "bad_parameter", str(exc)) from exc
    analysis.annotate(view, result)
    context.record("view-network", cases={c for n in view["nodes"] for c in n["cases"]},
                   entity=entity_id, hops=hops, nodes=len(view["nodes"]), analysis=True)
    return jsonify({**view, "analysis": result})


@bp.get("/paths")
@requires("find-paths")
def find_paths():
    """The shortest paths (``k`` of them, shortest first) of at most ``max_hops`` visible facts
    between ``from`` and ``to``, never through a case: ``{"paths": [{"nodes", "edges",
    "hops", "chain"}], ...}``."""
    source, target = request.args.get("from", ""), request.args.get("to", "")
    if not source or not target:
        raise ApiError(400, "bad_parameter", "from and to are required entity ids")
    max_hops = int_arg("max_hops", paths.DEFAULT_MAX_HOPS, 1, paths.MAX_HOPS)
    k = int_arg("k", paths.DEFAULT_K, 1, paths.MAX_K)
    try:
        found = paths.find_paths(context.store(), g.actor, source, target, max_hops=max_hops, k=k)
    except paths.BadPathRequest as exc:
        raise ApiError(400, "bad_parameter", str(exc)) from exc
    context.record("path", cases=found["cases"], source=found["from"], target=found["to"],
                   max_hops=max_hops, k=k, found=len(found["paths"]))
    return jsonify(found)


@bp.get("/links/cross-case")
@requires("view-cross-case")
def cross_case_links():
    """Entities linked to at least ``min_cases`` of the caller's cases, ranked, with regions,
    dates and hits for the rest; and the case-to-case network (``kinds``: comma-separated)."""
    min_cases = int_arg("min_cases", 2, 2, 100)
    limit = int_arg("limit", links.DEFAULT_LIMIT, 1, links.MAX_LIMIT)
    kinds = tuple(k for k in request.args.get("kinds", "").split(",") if k) or links.KINDS
    try:
        report = links.cross_case(context.store(), context.settings(), g.actor,
                                  min_cases=min_cases, kinds=kinds, limit=limit,
                                  client=context.client_address())
    except links.BadLinksRequest as exc:
        raise ApiError(400, "bad_parameter", str(exc)) from exc
    context.record("view-cross-case", cases=[c["case_id"] for c in report["cases"]],
                   min_cases=min_cases, links=len(report["links"]))
    return jsonify(report)


@bp.get("/detectors")
@requires("run-detector")
def list_detectors():
    """The trafficking pattern detectors, each with its explanation and parameter."""
    return jsonify({"detectors": detectors.available(g.actor)})


@bp.get("/detectors/<name>")
@requires("run-detector")
def run_detector(name: str):
    """Run one detector over the caller's visible cases: its findings with the facts behind
    each (``threshold`` overrides the detector's parameter, ``limit`` caps its rows)."""
    try:
        detector = detectors.get(g.actor, name)
    except detectors.UnknownDetector as exc:
        raise ApiError(404, "not_found", "No such detector.") from exc
    threshold = int_arg("threshold", detector.default, detector.low, 100)
    limit = int_arg("limit", detectors.DEFAULT_LIMIT, 1, detectors.MAX_LIMIT)
    result = detectors.run(context.store(), g.actor, name, threshold=threshold, limit=limit)
    context.record("run-detector", cases=result["cases"], detector=name, threshold=threshold,
                   findings=len(result["findings"]))
    return jsonify(result)


@bp.get("/persons/<person_id>/suggestions")
@requires("view-entity")
def person_suggestions(person_id: str):
    """Merge suggestions touching a person that the caller may see (both cases visible)."""
    graph.locate(context.store(), g.actor, "person:" + person_id)
    items = suggestions.for_person(context.store(), g.actor, person_id)
    return jsonify({"suggestions": items})


@bp.post("/persons/<person_id>/suggestions/<other_id>/<decision>")
@requires("resolve-persons")
def decide_suggestion(person_id: str, other_id: str, decision: str):
    """Confirm (merge ``other_id`` into ``person_id``) or reject a merge suggestion; needs edit
    rights on both of its cases. Audited, refusals too."""
    if decision not in ("confirm", "reject"):
        raise ApiError(404, "not_found", "no such decision")
    done = decide(person_id, other_id, decision)
    if done is None:
        raise ApiError(403, "forbidden", "no suggestion here that you may decide")
    return jsonify(done)


def decide(person_id: str, other_id: str, decision: str) -> dict | None:
    """Run a confirm or reject for the request's actor and audit it; None when refused."""
    store = context.store()
    action = "merge-person" if decision == "confirm" else "reject-suggestion"
    try:
        if decision == "confirm":
            done = suggestions.confirm(store, context.settings(), g.actor, person_id, other_id)
            cases = sorted({r.split(":", 1)[0] for r in done["records"]})
        else:
            done = suggestions.reject(store, g.actor, person_id, other_id)
            cases = done["cases"]
    except suggestions.CannotDecide as exc:
        context.record(action, outcome="denied", person=person_id, other=other_id, reason=str(exc))
        return None
    context.record(action, cases=cases, person=person_id, other=other_id, via="entity page")
    return done


@bp.get("/entities/<path:entity_id>")
@requires("view-entity")
def entity(entity_id: str):
    """The entity, its visible facts with sources, its visible cases, and ``hits``."""
    view = graph.entity(context.store(), g.actor, entity_id)
    context.record("view-entity", cases=view["entity"]["cases"], entity=entity_id)
    view["hits"] = hits.for_entity(context.store(), context.settings(), g.actor, entity_id,
                                   client=context.client_address())
    return jsonify(view)


@bp.get("/hits")
@requires("check-hit")
def check_hit():
    """Hit / no hit on an exact phone or national id, by the hidden cases' classification,
    without revealing the entity (``kind=phone|national_id`` narrows the check)."""
    try:
        answer = hits.check(context.store(), context.settings(), g.actor,
                            request.args.get("identifier", ""), request.args.get("kind") or None,
                            client=context.client_address())
    except hits.BadIdentifier as exc:
        raise ApiError(400, "bad_parameter", str(exc)) from exc
    return jsonify(answer)


@bp.get("/notifications")
@requires("read-notifications")
def list_notifications():
    """A covert case owner's notices of others touching their case's entities, newest first."""
    items = notifications.for_actor(context.store(), context.settings(), g.actor)
    context.record("read-notifications", cases={n["case_id"] for n in items}, count=len(items))
    return jsonify({"notifications": items,
                    "unread": notifications.unread_count(context.settings(), g.actor)})


@bp.post("/notifications/<int:notification_id>/read")
@requires("read-notifications")
def read_notification(notification_id: int):
    """Mark one of the caller's notifications as read (404 for anyone else's)."""
    notifications.mark_read(context.settings(), g.actor, notification_id)
    context.record("mark-notification-read", notification=notification_id)
    return jsonify({"id": notification_id, "read": True})


@bp.get("/queries")
@requires("run-saved-query")
def queries():
    """The saved queries the caller may run, with their parameters (never the server's)."""
    return jsonify({"queries": [q.to_dict() for q in saved.available(context.store(), g.actor)]})


@bp.post("/queries/<name>/run")
@requires("run-saved-query")
def run_query(name: str):
    """Run a saved query: ``{"params": {...}, "format": "json"|"csv"}`` in; ``{"columns",
    "rows", "truncated", "params"}`` (and ``nodes``/``edges`` for a graph result) or a CSV
    file out. Audited with the name, the parameters and the row count."""
    from flask import Response

    body = request.get_json(silent=True)
    body = {} if body is None else body
    if not isinstance(body, dict):
        raise ApiError(400, "bad_parameter", "the body must be a JSON object")
    params = body.get("params", {})
    if not isinstance(params, dict):
        raise ApiError(400, "bad_parameter", "params must be an object")
    fmt = body.get("format", "json")
    if fmt not in ("json", "csv"):
        raise ApiError(400, "bad_parameter", "format must be json or csv")
    try:
        result = saved.run_audited(context.store(), context.settings(), g.actor, name, params,
                                   client=context.client_address(), via="api")
    except saved.QueryFailed as exc:
        raise ApiError(503, "query_failed", str(exc)) from exc
    if fmt == "csv":
        return Response(saved.to_csv(result), mimetype="text/csv", headers={
            "Content-Disposition": f'attachment; filename="{name}.csv"'})
    return jsonify(result)


@bp.get("/audit")
@requires("read-audit")
def audit_log():
    """Who did what and when (administrators); no case content. ``purpose`` is required, as on
    the audit page, and goes into the audit record of this reading. Filters: actor, action,
    since, until (ISO dates or date-times, UTC), limit, offset."""
    from datetime import UTC, datetime

    from graphapp import audit

    def when(name: str):
        raw = request.args.get(name, "")
        if not raw:
            return None
        try:
            value = datetime.fromisoformat(raw)
        except ValueError as exc:
            raise ApiError(400, "bad_parameter", f"{name} must be an ISO date or date-time") from exc
        return value if value.tzinfo else value.replace(tzinfo=UTC)

    purpose = request.args.get("purpose", "").strip()[:500]
    if not purpose:
        raise ApiError(400, "bad_parameter", "purpose is required: why you read the audit log")
    filters = {k: request.args.get(k, "").strip()[:120] for k in ("actor", "action", "since", "until")}
    records = audit.admin_view(
        context.settings(), actor=filters["actor"], action=filters["action"], since=when("since"),
        until=when("until"), limit=int_arg("limit", 100, 1, 1000),
        offset=int_arg("offset", 0, 0, 10_000_000))
    context.record("read-audit", purpose=purpose, count=len(records),
                   **{k: v for k, v in filters.items() if v})
    return jsonify({"records": records})


@bp.post("/console")
@requires("use-cypher-console")
def console():
    """Ad-hoc read-only Cypher on the caller's projection: ``{"statement"}`` in, ``{"columns",
    "rows", "truncated"}`` out; writes, schema changes, administrative procedures and LOAD CSV
    are refused (400), and every statement is audited in full."""
    from graphapp.services import console as console_service

    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("statement"), str):
        raise ApiError(400, "bad_parameter", "send {\"statement\": \"MATCH …\"}")
    try:
        result = console_service.run(context.store(), context.settings(), g.actor,
                                     body["statement"], client=context.client_address(), via="api")
    except console_service.Refused as exc:
        raise ApiError(400, "refused", str(exc)) from exc
    except console_service.ConsoleOff as exc:
        raise ApiError(503, "console_off", str(exc)) from exc
    except console_service.ConsoleFailed as exc:
        raise ApiError(400, "query_failed", str(exc)) from exc
    return jsonify(result)
