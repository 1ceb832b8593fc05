"""The web pages: search, entity with its network, saved queries, and the offline export."""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pyvis
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_from_directory,
    url_for,
)
from flask_login import login_required

from graphapp import accounts
from graphapp.access import allowed, owned_case_ids
from graphapp.services import graph, hits, notifications, suggestions
from graphapp.services import saved_queries as saved
from graphapp.services import search as search_service
from graphapp.views import context
from graphapp.views.guard import authenticated, public, requires

bp = Blueprint("ui", __name__)
bp.add_app_template_test(saved.is_entity_cell, "entity_cell")
bp.add_app_template_test(saved.is_fact_cell, "fact_cell")

#: vis-network as the pyvis package ships it, served by the app (never a CDN).
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
STATIC_DIR = Path(__file__).resolve().parents[1] / "static"


@bp.before_request
@login_required
def load_actor():
    """Every page needs a logged-in user; the actor carries their memberships."""
    context.actor_from_session()


@bp.app_context_processor
def navigation():
    actor = g.get("actor")

    def unread_notifications() -> int:
        if actor is None or not allowed(actor, "read-notifications"):
            return 0
        return notifications.unread_count(context.settings(), actor)

    def pending_requests() -> int:
        return accounts.pending_request_count(context.settings(), owned_case_ids(actor)) if actor else 0

    return {"actor": actor, "can": (lambda action: actor is not None and allowed(actor, action)),
            "unread_notifications": unread_notifications, "pending_requests": pending_requests}


@bp.get("/vendor/vis-network/<path:filename>")
@public
def vendor(filename: str):
    """The vis-network files shipped inside the pyvis package."""
    if filename not in ("vis-network.min.js", "vis-network.css"):
        abort(404)
    return send_from_directory(VIS_DIR, filename, max_age=3600)


@bp.get("/")
@authenticated
def home():
    """Where a log-in lands: the search page for roles that search, else what the role may do."""
    if allowed(g.actor, "search"):
        return search()
    return render_template("home.html")


@bp.get("/search")
@requires("search")
def search():
    """The search box, and the caller's visible entities that match."""
    q = request.args.get("q", "").strip()
    results, error = [], ""
    if q:
        try:
            results = search_service.search(context.store(), g.actor, q)
        except search_service.BadQuery as exc:
            error = str(exc)
        else:
            context.record("search", cases={c for r in results for c in r["cases"]},
                           q=q, results=len(results))
    return render_template("search.html", q=q, results=results, error=error,
                           groups=search_service.grouped(results))


@bp.get("/entities/<path:entity_id>/export.html")
@requires("export")
def export_view(entity_id: str):
    """A standalone HTML file of the entity's network: vis-network inlined, nothing fetched
    (the HTML of an evidence package, without the package: graphapp.export.html)."""
    from graphapp.export import PackageInfo, collect, entity_network_spec
    from graphapp.export.html import render_html

    hops = _hops()
    snapshot = collect(context.store(), g.actor, entity_network_spec([entity_id], hops))
    info = PackageInfo(package_id="", exporter=g.actor.name, exporter_role=g.actor.role,
                       created_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"))
    html = render_html(snapshot, info)
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    context.record("export", cases=snapshot.case_ids, entity=entity_id, hops=hops, format="html",
                   sha256=digest)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", snapshot.focus or entity_id).strip("-")[:80]
    filename = f"casegraph-{slug}.html"
    return Response(html, mimetype="text/html", headers={
        "Content-Disposition": f'attachment; filename="{filename}"',
        "Content-Security-Policy": "sandbox allow-scripts",
        "X-Content-SHA256": digest,
    })


@bp.get("/entities/<path:entity_id>")
@requires("view-entity")
def entity(entity_id: str):
    """An entity: its visible facts with sources, its cases, hits, merge suggestions for a
    person, and its network."""
    view = graph.entity(context.store(), g.actor, entity_id)
    context.record("view-entity", cases=view["entity"]["cases"], entity=entity_id)
    view["hits"] = hits.for_entity(context.store(), context.settings(), g.actor, entity_id,
                                   client=context.client_address())
    me = view["entity"]
    view["suggestions"] = (suggestions.for_person(context.store(), g.actor, me["id"].split(":", 1)[1])
                           if me["kind"] == "person" else [])
    export_url = url_for("ui.export_view", entity_id=me["id"], hops=_hops())
    return render_template("entity.html", view=view, export_url=export_url,
                           **_network_settings(me["id"]))


@bp.get("/entities/<path:entity_id>/network")
@requires("view-network")
def network(entity_id: str):
    """The network explorer on a page of its own: a larger canvas for large views."""
    me = graph.entity(context.store(), g.actor, entity_id)["entity"]
    context.record("view-entity", cases=me["cases"], entity=entity_id, page="network")
    return render_template("network.html", entity=me, **_network_settings(me["id"]))


#: Choices of the explorer's toolbar (the API allows any value in range).
NODE_LIMITS = (150, 500, 2000, 10_000)
PER_NODE_CHOICES = (25, 50, 200, 1000, 5000)


def _network_settings(entity_id: str) -> dict:
    """The explorer's toolbar values from the query string, and its API URLs."""
    hops = _hops()
    limit = _choice("limit", graph.DEFAULT_NODE_LIMIT, NODE_LIMITS)
    per_node = _choice("per_node", graph.DEFAULT_PER_NODE, PER_NODE_CHOICES)
    layout_name = request.args.get("layout", "auto")
    if layout_name not in ("auto", "radial", "browser"):
        layout_name = "auto"
    through = request.args.get("through_cases") == "1"
    params = {"hops": hops, "limit": limit, "per_node": per_node, "explore": 1, "layout": layout_name}
    if through:
        params["through_cases"] = 1
    return {
        "hops": hops, "limit": limit, "per_node": per_node, "layout": layout_name,
        "through_cases": through, "node_limits": NODE_LIMITS, "per_node_choices": PER_NODE_CHOICES,
        "network_url": url_for("api.entity_network", entity_id=entity_id, **params),
        "expand_base": url_for("api.entity_network", entity_id="ENTITY").replace(
            "ENTITY/network", ""),
    }


def _choice(name: str, default: int, choices: tuple[int, ...]) -> int:
    try:
        value = int(request.args.get(name, default))
    except ValueError:
        return default
    return value if value in choices else default


def _hops() -> int:
    try:
        hops = int(request.args.get("hops", 2))
    except ValueError:
        hops = 2
    return min(max(hops, 1), graph.MAX_HOPS)


@bp.post("/entities/<path:entity_id>/suggestions/<other_id>/<decision>")
@requires("resolve-persons")
def decide_suggestion(entity_id: str, other_id: str, decision: str):
    """Confirm or reject a merge suggestion from a person's page (a form with CSRF)."""
    from graphapp.views.api import decide

    kind, _, person_id = entity_id.partition(":")
    if kind != "person" or decision not in ("confirm", "reject"):
        abort(404)
    graph.locate(context.store(), g.actor, entity_id)
    done = decide(person_id, other_id, decision)
    if done is None:
        flash("No suggestion here that you may decide: that needs edit rights on both cases.",
              "error")
    elif decision == "confirm":
        flash("Merged: the two records are now one person.", "info")
    elif done.get("left"):
        flash(f"Rejected where you may decide; {done['left']} suggestion(s) between the two "
              "persons remain, through records of cases you cannot edit.", "info")
    else:
        flash("Suggestion rejected.", "info")
    return redirect(url_for("ui.entity", entity_id=entity_id))


@bp.get("/paths")
@requires("find-paths")
def paths_page():
    """The path finder: two entities (an id, or words that find exactly one), the shortest
    paths between them over visible facts, drawn and as readable chains with sources."""
    from graphapp.services import paths

    text = {"from": request.args.get("from", "").strip(), "to": request.args.get("to", "").strip()}
    max_hops = _bounded("max_hops", paths.DEFAULT_MAX_HOPS, 1, paths.MAX_HOPS)
    k = _bounded("k", 3, 1, paths.MAX_K)
    chosen = {side: _resolve(value) for side, value in text.items() if value}
    result, error = None, ""
    if all(side in chosen and len(chosen[side]) == 1 for side in ("from", "to")):
        try:
            result = paths.find_paths(context.store(), g.actor, chosen["from"][0]["id"],
                                      chosen["to"][0]["id"], max_hops=max_hops, k=k)
        except paths.BadPathRequest as exc:
            error = str(exc)
        except graph.NotFound:
            error = "No such entity, or not one you may see."
        else:
            context.record("path", cases=result["cases"], source=result["from"],
                           target=result["to"], max_hops=max_hops, k=k,
                           found=len(result["paths"]))
    return render_template("paths.html", text=text, chosen=chosen, max_hops=max_hops, k=k,
                           result=result, error=error, hop_choices=range(1, paths.MAX_HOPS + 1),
                           graph=_path_graph(result))


def _path_graph(result: dict | None) -> dict:
    """The found paths as one drawing: each path a row, its nodes left to right in path order
    (a node shared by several paths stays where its first path put it)."""
    nodes: dict[str, dict] = {}
    edges: dict[str, dict] = {}
    if not result:
        return {"nodes": [], "edges": []}
    width = 900.0
    for row, path in enumerate(result["paths"]):
        for i, node in enumerate(path["nodes"]):
            if node["id"] not in nodes:
                x = width * i / max(path["hops"], 1)
                nodes[node["id"]] = {**node, "x": round(x, 1), "y": row * 110.0}
        for e in path["edges"]:
            edges[e["id"]] = e
    return {"nodes": list(nodes.values()), "edges": list(edges.values())}


def _resolve(value: str) -> list[dict]:
    """The entities a path finder box names: an entity id the caller may see, else what a
    search for the words finds (up to 10; the page asks to pick one when there are several)."""
    from graphapp import model

    try:
        model.parse_entity_id(value)
    except model.InvalidEntityId:
        pass
    else:
        found = graph.labels(context.store(), g.actor, [value])
        if value in found:
            return [found[value]]
    try:
        results = search_service.search(context.store(), g.actor, value, 10)
    except search_service.BadQuery:
        return []
    context.record("search", cases={c for r in results for c in r["cases"]}, q=value,
                   results=len(results), via="paths")
    return [r for r in results if r["kind"] != "case"]


def _bounded(name: str, default: int, low: int, high: int) -> int:
    """A whole-number argument of a page; one that is not, or out of range, is replaced (the
    page still answers) and the page says so, as the API answers 400."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return default
    words = name.replace("_", " ")
    try:
        value = int(raw)
    except ValueError:
        flash(f"{words} must be a whole number from {low} to {high}: showing {default}.", "error")
        return default
    if not low <= value <= high:
        value = min(max(value, low), high)
        flash(f"{words} must be from {low} to {high}: showing {value}.", "error")
    return value


@bp.get("/links")
@requires("view-cross-case")
def links_page():
    """The cross-case report: entities joining several of one's cases, and the case network."""
    from graphapp.services import links

    min_cases = _bounded("min_cases", 2, 2, 100)
    report = links.cross_case(context.store(), context.settings(), g.actor, min_cases=min_cases,
                              client=context.client_address())
    context.record("view-cross-case", cases=[c["case_id"] for c in report["cases"]],
                   min_cases=min_cases, links=len(report["links"]))
    return render_template("links.html", report=report, min_cases=min_cases)


@bp.get("/detectors")
@requires("run-detector")
def detectors_page():
    """The trafficking pattern detectors, each with what it looks for."""
    from graphapp.services import detectors

    return render_template("detectors.html", detectors=detectors.available(g.actor), result=None,
                           current=None)


@bp.get("/detectors/<name>")
@requires("run-detector")
def detector_page(name: str):
    """One detector's findings over one's visible cases, with the facts behind each."""
    from graphapp.services import detectors

    try:
        detector = detectors.get(g.actor, name)
    except detectors.UnknownDetector:
        abort(404)
    threshold = _bounded("threshold", detector.default, detector.low, 100)
    result = detectors.run(context.store(), g.actor, name, threshold=threshold)
    context.record("run-detector", cases=result["cases"], detector=name, threshold=threshold,
                   findings=len(result["findings"]))
    return render_template("detectors.html", detectors=detectors.available(g.actor),
                           result=result, current=detector.to_dict(), threshold=threshold)


@bp.get("/entities/<path:entity_id>/analysis")
@requires("view-network")
def analysis_page(entity_id: str):
    """Network measures of an entity's visible neighbourhood: sizes, colours and a table."""
    from graphapp.services import analysis

    hops = _hops()
    view = graph.network(context.store(), g.actor, entity_id, hops=hops, limit=500)
    include_cases = request.args.get("include_cases") == "1"
    result = analysis.analyse(view, include_cases=include_cases)
    analysis.annotate(view, result)
    context.record("view-network", cases={c for n in view["nodes"] for c in n["cases"]},
                   entity=entity_id, hops=hops, nodes=len(view["nodes"]), analysis=True)
    return render_template("analysis.html", entity=view["nodes"][0], view=view, result=result,
                           hops=hops, include_cases=include_cases)


@bp.get("/queries")
@requires("run-saved-query")
def queries():
    """The saved query library, by title, with a filter by tag."""
    library = saved.available(context.store(), g.actor)
    tag = request.args.get("tag", "")
    tags = sorted({t for q in library for t in q.tags})
    shown = [q for q in library if not tag or tag in q.tags]
    return render_template("queries.html", queries=shown, tags=tags, tag=tag)


@bp.route("/queries/<name>", methods=["GET", "POST"])
@requires("run-saved-query")
def query(name: str):
    """One saved query: a form made from its parameters, and its results once run. A link
    may fill the form (``?phone=+4670…``); only the form's button runs the query."""
    store = context.store()
    q = saved.get(store, g.actor, name)
    result, error = None, ""
    values = {p.name: request.args[p.name] for p in q.parameters if p.name in request.args}
    if request.method == "POST":
        values = _query_form_values(q)
        try:
            result = saved.run_audited(store, context.settings(), g.actor, name, values,
                                       client=context.client_address(), via="ui")
        except (saved.BadParameters, saved.QueryFailed) as exc:
            error = str(exc)
    expand_base = url_for("api.entity_network", entity_id="ENTITY").replace("ENTITY/network", "")
    return render_template("query.html", q=q, result=result, error=error, values=values,
                           dumps=json.dumps, display=saved.display, expand_base=expand_base,
                           labels=_labels_of(result))


def _labels_of(result: dict | None) -> dict[str, str]:
    """Labels for the entities a result table names (see ``saved.entity_labels``)."""
    return saved.entity_labels(context.store(), g.actor, result) if result and result["rows"] else {}


def _query_form_values(q) -> dict:
    """The form's fields for the query's parameters (an unticked checkbox is false)."""
    values = {}
    for p in q.parameters:
        if p.type == "bool":
            values[p.name] = "true" if request.form.get(p.name) else "false"
        elif p.type == "list<string>" and len(request.form.getlist(p.name)) > 1:
            values[p.name] = request.form.getlist(p.name)
        else:
            values[p.name] = request.form.get(p.name, "")
    return values


@bp.post("/queries/<name>/download")
@requires("run-saved-query")
def query_download(name: str):
    """Run a saved query and download its table as CSV (formulas neutralised) or JSON."""
    store = context.store()
    q = saved.get(store, g.actor, name)
    fmt = request.form.get("format", "csv")
    if fmt not in ("csv", "json"):
        abort(400)
    try:
        result = saved.run_audited(store, context.settings(), g.actor, name, _query_form_values(q),
                                   client=context.client_address(), via=f"ui-download-{fmt}")
    except (saved.BadParameters, saved.QueryFailed) as exc:
        flash(str(exc), "error")
        return redirect(url_for("ui.query", name=name))
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        body, mimetype = saved.to_csv(result), "text/csv"
    else:
        body = json.dumps({"query": name, "run_at": stamp, "by": g.actor.name, **result},
                          ensure_ascii=False, indent=1)
        mimetype = "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{name}-{stamp}.{fmt}"'})


@bp.get("/hits")
@requires("check-hit")
def check_hit():
    """Hit check: is an exact phone or national id in cases one cannot see (by their rules)?"""
    identifier = request.args.get("identifier", "").strip()
    kind = request.args.get("kind") or None
    answer, error = None, ""
    if identifier:
        try:
            answer = hits.check(context.store(), context.settings(), g.actor, identifier, kind,
                                client=context.client_address())
        except hits.BadIdentifier as exc:
            error = str(exc)
    return render_template("hits.html", identifier=identifier, kind=kind or "", answer=answer,
                           error=error)


@bp.get("/notifications")
@requires("read-notifications")
def notifications_page():
    """The covert case owner's notices: who touched which of their entities, and when."""
    items = notifications.for_actor(context.store(), context.settings(), g.actor)
    context.record("read-notifications", cases={n["case_id"] for n in items}, count=len(items))
    return render_template("notifications.html", items=items)


@bp.post("/notifications/read")
@requires("read-notifications")
def notifications_read():
    """Mark all of one's notifications as read."""
    count = notifications.mark_read(context.settings(), g.actor)
    context.record("mark-notification-read", count=count)
    flash(f"{count} notification(s) marked as read.", "info")
    return redirect(url_for("ui.notifications_page"))


@bp.route("/console", methods=["GET", "POST"])
@requires("use-cypher-console")
def console():
    """The Cypher console: ad-hoc read-only Cypher on a projection of one's own cases."""
    from graphapp.services import console as console_service

    store = context.store()
    statement, result, error = "", None, ""
    enabled = console_service.available(store)
    if request.method == "POST":
        statement = request.form.get("statement", "")
        try:
            result = console_service.run(store, context.settings(), g.actor, statement,
                                         client=context.client_address(), via="ui")
        except (console_service.Refused, console_service.ConsoleOff,
                console_service.ConsoleFailed) as exc:
            error = str(exc)
    return render_template("console.html", statement=statement, result=result, error=error,
                           enabled=enabled, dumps=json.dumps, display=saved.display,
                           labels=_labels_of(result),
                           row_cap=console_service.ROW_CAP,
                           timeout=int(console_service.TIMEOUT_SECONDS))


@bp.get("/drafts")
@requires("run-saved-query")
def drafts():
    """Drafted queries: one's own, those awaiting one's review, and those shared with one."""
    from graphapp.services import drafts as draft_service

    lists = draft_service.visible(context.settings(), g.actor)
    mine = g.actor.cases
    return render_template("drafts.html", lists=lists, my_cases=sorted(mine), draft=None,
                           values={}, error="")


@bp.post("/drafts")
@requires("use-cypher-console")
def draft_create():
    """Save a new draft (refused statements are never stored)."""
    from graphapp.services import drafts as draft_service

    values = _draft_form()
    try:
        draft = draft_service.save(context.settings(), g.actor, client=context.client_address(),
                                   **values)
    except draft_service.BadDraft as exc:
        lists = draft_service.visible(context.settings(), g.actor)
        return render_template("drafts.html", lists=lists, my_cases=sorted(g.actor.cases),
                               draft=None, values=values, error=str(exc)), 400
    flash("Draft saved. It runs on your own projection; submit it for review to share it.", "info")
    return redirect(url_for("ui.draft", draft_id=draft.id))


def _draft_form() -> dict:
    return {"title": request.form.get("title", ""), "description": request.form.get("description", ""),
            "statement": request.form.get("statement", ""),
            "for_cases": request.form.getlist("for_cases")}


def _load_draft(draft_id: int):
    from graphapp.services import drafts as draft_service

    try:
        return draft_service.get(context.settings(), g.actor, draft_id)
    except draft_service.DraftNotFound:
        abort(404)


def _draft_page(draft, result=None, error: str = "", status: int = 200):
    from graphapp.services import drafts as draft_service

    return render_template("draft.html", draft=draft, result=result, error=error,
                           may_review=draft_service.may_review(g.actor, draft),
                           mine=draft.author == g.actor.name, my_cases=sorted(g.actor.cases),
                           dumps=json.dumps, display=saved.display,
                           labels=_labels_of(result)), status


@bp.get("/drafts/<int:draft_id>")
@requires("run-saved-query")
def draft(draft_id: int):
    """One drafted query: its text, its review, and (for its author) the edit form."""
    return _draft_page(_load_draft(draft_id))


@bp.post("/drafts/<int:draft_id>")
@requires("use-cypher-console")
def draft_edit(draft_id: int):
    """Edit one's own draft; an edit withdraws a submission or an approval."""
    from graphapp.services import drafts as draft_service

    current = _load_draft(draft_id)
    try:
        updated = draft_service.save(context.settings(), g.actor, draft_id=draft_id,
                                     client=context.client_address(), **_draft_form())
    except draft_service.DraftNotFound:
        abort(404)
    except draft_service.BadDraft as exc:
        return _draft_page(current, error=str(exc), status=400)
    flash("Saved." + (" The approval is withdrawn: submit it again for review."
                      if current.status in ("submitted", "approved") else ""), "info")
    return redirect(url_for("ui.draft", draft_id=updated.id))


@bp.post("/drafts/<int:draft_id>/submit")
@requires("use-cypher-console")
def draft_submit(draft_id: int):
    """Ask for review: a member of every case it is meant for may approve it."""
    from graphapp.services import drafts as draft_service

    try:
        draft_service.submit(context.settings(), g.actor, draft_id, client=context.client_address())
    except draft_service.DraftNotFound:
        abort(404)
    except draft_service.BadDraft as exc:
        flash(str(exc), "error")
    else:
        flash("Submitted for review.", "info")
    return redirect(url_for("ui.draft", draft_id=draft_id))


@bp.post("/drafts/<int:draft_id>/review")
@requires("publish-query")
def draft_review(draft_id: int):
    """Approve (share with the members of its cases) or reject a submitted draft."""
    from graphapp.services import drafts as draft_service

    decision = request.form.get("decision", "")
    if decision not in ("approve", "reject"):
        abort(400)
    try:
        draft_service.review(context.settings(), g.actor, draft_id, decision == "approve",
                             request.form.get("note", ""), client=context.client_address())
    except draft_service.DraftNotFound:
        abort(404)
    except draft_service.BadDraft as exc:
        flash(str(exc), "error")
    else:
        flash("Approved: shared with the members of its cases." if decision == "approve"
              else "Rejected.", "info")
    return redirect(url_for("ui.draft", draft_id=draft_id))


@bp.post("/drafts/<int:draft_id>/run")
@requires("run-saved-query")
def draft_run(draft_id: int):
    """Run a draft on one's own projection (never the full graph)."""
    from graphapp.services import console as console_service
    from graphapp.services import drafts as draft_service

    current = _load_draft(draft_id)
    try:
        result = draft_service.run(context.store(), context.settings(), g.actor, draft_id,
                                   client=context.client_address())
    except draft_service.DraftNotFound:
        abort(404)
    except (console_service.Refused, console_service.ConsoleOff,
            console_service.ConsoleFailed) as exc:
        return _draft_page(current, error=str(exc), status=400)
    return _draft_page(current, result=result)
