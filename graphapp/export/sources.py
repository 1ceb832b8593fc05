"""What goes into a package: a small view spec turned into a :class:`Snapshot` of one user's view.

A spec is ``{"kind": ..., "params": {...}}``. Each kind has one function that reads what the
actor may see, through the same services as the app's pages (so a package holds exactly what
its exporter could see at that moment, and never a deconfliction hit), and returns nodes,
edges with their facts' sources and dates, and the cases involved: an entity network, a saved
query's graph, the path finder's paths, the cross-case report. A new kind is one more
function in :data:`KINDS`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphapp.access import Actor, ensure_allowed, visible_case_ids
from graphapp.services import graph
from graphapp.store import GraphStore

#: Fact properties that hold dates (ISO 8601 text), in the order a timeline reads them.
DATE_FIELDS = ("first_seen", "last_seen", "check_in", "check_out", "first_call", "last_call", "posted")
#: What each date field means, in a timeline.
DATE_LABELS = {
    "first_seen": "first seen", "last_seen": "last seen", "check_in": "check-in",
    "check_out": "check-out", "first_call": "first call", "last_call": "last call",
    "posted": "advert posted",
}
MAX_ENTITIES = 20


class BadSpec(ValueError):
    """The view spec is malformed; the message is safe to show."""


@dataclass
class Snapshot:
    """One user's view, frozen: what every writer of a package reads."""

    #: ``{"kind", "params"}``: what produced it (written to the manifest).
    spec: dict[str, Any]
    title: str
    #: ``{"id", "kind", "label", "cases"}``, the first ones being the entities asked for.
    nodes: list[dict[str, Any]]
    #: ``{"id", "source", "target", "type", "case_id", "source_ref", "properties"}``; the
    #: properties are the fact's statements as the exporter may read them (national ids masked).
    edges: list[dict[str, Any]]
    #: ``{"case_id", "title", "unit", "classification", "opened"}`` of the cases covered.
    cases: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False
    #: The entity the HTML view draws larger (the first one asked for).
    focus: str = ""
    #: A ranked report the view is about (the cross-case report's rows: ``{"rank", "id",
    #: "kind", "label", "cases", "regions", "first", "last"}``); empty for a plain network.
    report: list[dict[str, Any]] = field(default_factory=list)
    #: A saved query's result table as its runner read it (``{"columns", "rows"}``, each cell
    #: text: entities by label, facts by type and case); empty for other views.
    table: dict[str, list] = field(default_factory=dict)

    @property
    def case_ids(self) -> list[str]:
        return sorted({c for n in self.nodes for c in n["cases"]}
                      | {e["case_id"] for e in self.edges if e.get("case_id")})

    def label_of(self, node_id: str) -> str:
        for n in self.nodes:
            if n["id"] == node_id:
                return n["label"]
        return node_id

    def timeline(self) -> list[dict[str, str]]:
        """Every dated statement of a fact, oldest first."""
        labels = {n["id"]: n["label"] for n in self.nodes}
        items = []
        for e in self.edges:
            for name in DATE_FIELDS:
                value = e["properties"].get(name)
                if value:
                    items.append({"date": str(value), "what": DATE_LABELS[name], "type": e["type"],
                                  "source": labels.get(e["source"], e["source"]),
                                  "target": labels.get(e["target"], e["target"]),
                                  "case_id": e["case_id"] or "", "source_ref": e["source_ref"]})
        return sorted(items, key=lambda i: (i["date"], i["case_id"], i["source_ref"], i["what"]))

    def network_json(self) -> dict[str, Any]:
        """The shape of ``GET /entities/{id}/network`` that the network script draws."""
        return {"nodes": self.nodes,
                "edges": [{k: e[k] for k in ("id", "source", "target", "type", "case_id", "source_ref")}
                          for e in self.edges],
                "truncated": self.truncated}


def collect(store: GraphStore, actor: Actor, spec: dict[str, Any]) -> Snapshot:
    """The snapshot of ``spec`` as ``actor`` sees it now.

    :raise BadSpec: unknown kind or bad parameters.
    :raise graph.NotFound: an entity the actor may not see (or that does not exist).
    :raise Forbidden: the actor may not export, or may not read that view.
    """
    ensure_allowed(actor, "export")
    if not isinstance(spec, dict) or spec.get("kind") not in KINDS:
        raise BadSpec(f"kind must be one of: {', '.join(sorted(KINDS))}")
    params = spec.get("params") or {}
    if not isinstance(params, dict):
        raise BadSpec("params must be an object")
    return KINDS[spec["kind"]](store, actor, params)


def entity_network_spec(entity_ids, hops: int = 2, limit: int = graph.DEFAULT_NODE_LIMIT) -> dict:
    return {"kind": "entity-network",
            "params": {"entity_ids": list(entity_ids), "hops": hops, "limit": limit}}


def _entity_network(store: GraphStore, actor: Actor, params: dict) -> Snapshot:
    """The union of the networks of one or more entities, ``hops`` deep."""
    ids = params.get("entity_ids")
    if isinstance(ids, str):
        ids = [ids]
    if not ids or not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
        raise BadSpec("entity_ids must be a list of entity ids")
    if len(ids) > MAX_ENTITIES:
        raise BadSpec(f"at most {MAX_ENTITIES} entities in one package")
    ids = list(dict.fromkeys(ids))
    hops = _int(params, "hops", 2, 1, graph.MAX_HOPS)
    limit = _int(params, "limit", graph.DEFAULT_NODE_LIMIT, 1, graph.MAX_NODE_LIMIT)
    nodes: dict[str, dict] = {}
    edges: dict[str, dict] = {}
    truncated = False
    for entity_id in ids:
        view = graph.network(store, actor, entity_id, hops=hops, limit=limit)
        truncated |= bool(view.get("truncated"))
        for n in view["nodes"]:
            nodes.setdefault(n["id"], n)
        for e in view["edges"]:
            edges.setdefault(e["id"], e)
    first = [nodes[i] for i in ids if i in nodes]
    ordered = first + [n for i, n in nodes.items() if n not in first]
    names = ", ".join(n["label"] for n in first[:3]) + (" …" if len(first) > 3 else "")
    spec = entity_network_spec([n["id"] for n in first], hops, limit)
    snapshot = Snapshot(spec=spec, title=f"Network of {names}, {hops} hop(s)", nodes=ordered,
                        edges=list(edges.values()), truncated=truncated,
                        focus=first[0]["id"] if first else "")
    return _with_facts(store, actor, snapshot)


def _saved_query(store: GraphStore, actor: Actor, params: dict) -> Snapshot:
    """The entities and facts a saved query returned (graph results, or entity/fact cells)."""
    from graphapp.services import saved_queries as saved

    name = params.get("name")
    values = params.get("params") or {}
    if not isinstance(name, str) or not name or not isinstance(values, dict):
        raise BadSpec("a saved-query view needs name and params")
    q = saved.get(store, actor, name)
    result = saved.run(store, actor, name, values)
    found_nodes: dict[str, None] = {}
    found_edges: dict[str, dict] = {}

    def walk(cell: Any) -> None:
        if isinstance(cell, dict):
            if {"id", "type", "source", "target"} <= set(cell):
                found_edges.setdefault(cell["id"], cell)
                found_nodes.setdefault(cell["source"])
                found_nodes.setdefault(cell["target"])
            elif saved.is_entity_cell(cell):
                found_nodes.setdefault(cell["id"])
            else:
                for v in cell.values():
                    walk(v)
        elif isinstance(cell, list):
            for v in cell:
                walk(v)

    walk(result.get("nodes", []))
    walk(result.get("edges", []))
    walk(result.get("rows", []))
    labelled = graph.labels(store, actor, list(found_nodes))
    nodes = [labelled[i] for i in found_nodes if i in labelled]
    shown = {n["id"] for n in nodes}
    edges = [{"id": e["id"], "source": e["source"], "target": e["target"], "type": e["type"],
              "case_id": e.get("case_id"), "source_ref": e.get("source_ref") or e.get("source_record", "")}
             for e in found_edges.values() if e["source"] in shown and e["target"] in shown]
    names = {n["id"]: n["label"] for n in nodes}
    table = {"columns": list(result["columns"]),
             "rows": [[saved.cell_text(cell, names) for cell in row] for row in result["rows"]]}
    snapshot = Snapshot(spec={"kind": "saved-query", "params": {"name": name, "params": values}},
                        title=f"Saved query: {q.title}", nodes=nodes, edges=edges,
                        truncated=bool(result.get("truncated")), focus=nodes[0]["id"] if nodes else "",
                        table=table)
    return _with_facts(store, actor, snapshot)


def _paths(store: GraphStore, actor: Actor, params: dict) -> Snapshot:
    """The shortest paths between two entities over facts the actor may see (the path finder)."""
    from graphapp.services import paths

    source, target = params.get("from"), params.get("to")
    if not (isinstance(source, str) and source and isinstance(target, str) and target):
        raise BadSpec("a path view needs from and to entity ids")
    max_hops = _int(params, "max_hops", paths.DEFAULT_MAX_HOPS, 1, paths.MAX_HOPS)
    k = _int(params, "k", paths.DEFAULT_K, 1, paths.MAX_K)
    try:
        found = paths.find_paths(store, actor, source, target, max_hops=max_hops, k=k)
    except paths.BadPathRequest as exc:
        raise BadSpec(str(exc)) from exc
    nodes: dict[str, dict] = {}
    edges: dict[str, dict] = {}
    for path in found["paths"]:
        for n in path["nodes"]:
            nodes.setdefault(n["id"], {k_: n[k_] for k_ in ("id", "kind", "label", "cases")})
        for e in path["edges"]:
            edges.setdefault(e["id"], dict(e))
    ends = [nodes[i] for i in (found["from"], found["to"]) if i in nodes]
    title = (f"Paths from {ends[0]['label']} to {ends[1]['label']}" if len(ends) == 2
             else "Paths: none found")
    spec = {"kind": "path", "params": {"from": found["from"], "to": found["to"],
                                       "max_hops": max_hops, "k": k}}
    snapshot = Snapshot(spec=spec, title=title, nodes=list(nodes.values()),
                        edges=list(edges.values()), truncated=bool(found.get("truncated")),
                        focus=found["from"] if nodes else "")
    return _with_facts(store, actor, snapshot)


#: Entities in a cross-case package: each one is a read of its facts.
CROSS_CASE_LIMIT, CROSS_CASE_MAX = 50, 200


def _cross_case(store: GraphStore, actor: Actor, params: dict) -> Snapshot:
    """The cross-case report: the top entities joining ``min_cases`` or more of the actor's
    cases, each drawn with the cases that hold it and the facts that say so (the case's
    mention of it or, where a case has none, that case's facts about it). Never a hit: the
    report is made without reading a hidden case."""
    from graphapp.services import links

    min_cases = _int(params, "min_cases", 2, 2, 100)
    limit = _int(params, "limit", CROSS_CASE_LIMIT, 1, CROSS_CASE_MAX)
    kinds = params.get("kinds") or list(links.KINDS)
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    if not isinstance(kinds, list) or not kinds or not set(kinds) <= set(links.KINDS):
        raise BadSpec(f"kinds must be some of: {', '.join(links.KINDS)}")
    kinds = [k for k in links.KINDS if k in kinds]
    try:
        found = links.cross_case(store, None, actor, min_cases=min_cases, kinds=tuple(kinds),
                                 limit=limit, with_hits=False)
    except links.BadLinksRequest as exc:
        raise BadSpec(str(exc)) from exc
    edges: dict[str, dict] = {}
    for link in found["links"]:
        try:
            facts = graph.entity(store, actor, link["id"])["facts"]
        except graph.NotFound:
            continue
        wanted = set(link["cases"])
        mentioned = {f["case_id"] for f in facts if f["other"]["kind"] == "case"}
        for f in facts:
            if f["case_id"] not in wanted or (f["other"]["kind"] != "case" and f["case_id"] in mentioned):
                continue
            ends = (link["id"], f["other"]["id"])
            source, target = ends if f["direction"] == "out" else ends[::-1]
            edges.setdefault(f["id"], {
                "id": f["id"], "source": source, "target": target, "type": f["type"],
                "case_id": f["case_id"], "source_ref": f["source"],
                "properties": {k: _text(v) for k, v in sorted(f["properties"].items())
                               if v not in (None, "", [])}})
    ids = [link["id"] for link in found["links"]]
    ids += sorted({end for e in edges.values() for end in (e["source"], e["target"])} - set(ids))
    labelled = graph.labels(store, actor, ids)
    nodes = [labelled[i] for i in ids if i in labelled]
    shown = {n["id"] for n in nodes}
    report = [{"rank": rank, **{k: link[k] for k in ("id", "kind", "label", "cases", "regions",
                                                    "first", "last")}}
              for rank, link in enumerate(found["links"], 1)]
    spec = {"kind": "cross-case", "params": {"min_cases": min_cases, "kinds": kinds, "limit": limit}}
    snapshot = Snapshot(
        spec=spec, title=f"Cross-case links: {len(report)} entities in {min_cases} or more cases",
        nodes=nodes, edges=[e for e in edges.values() if e["source"] in shown and e["target"] in shown],
        truncated=bool(found["truncated"]), focus=ids[0] if ids else "", report=report)
    return _with_facts(store, actor, snapshot)


def _with_facts(store: GraphStore, actor: Actor, snapshot: Snapshot) -> Snapshot:
    """Fill in each edge's statements (dates and details) and source record from the facts the
    actor may read of its endpoints, where the view did not bring them, and the summaries of
    the cases covered."""
    missing = {e["id"] for e in snapshot.edges if "properties" not in e}
    details: dict[str, dict] = {}
    # Every fact has an endpoint that is not a case; read each such node's facts until every
    # edge is covered (a case node would list all its case's facts).
    incident: dict[str, set[str]] = {}
    for e in snapshot.edges:
        for end in (e["source"], e["target"]):
            incident.setdefault(end, set()).add(e["id"])
    for node in sorted(snapshot.nodes, key=lambda n: -len(incident.get(n["id"], ()))):
        if node["kind"] == "case" or not (incident.get(node["id"], set()) & missing):
            continue
        try:
            view = graph.entity(store, actor, node["id"])
        except graph.NotFound:
            continue
        for fact in view["facts"]:
            if fact["id"] in missing:
                details[fact["id"]] = fact
                missing.discard(fact["id"])
    for e in snapshot.edges:
        if "properties" in e and e["id"] not in details:
            continue
        fact = details.get(e["id"])
        props = dict(fact["properties"]) if fact else {}
        e["properties"] = {k: _text(v) for k, v in sorted(props.items()) if v not in (None, "", [])}
        if fact and not e.get("source_ref"):
            e["source_ref"] = fact["source"]
        e["source_ref"] = e.get("source_ref") or ""
    allowed = visible_case_ids(actor)
    wanted = [c for c in snapshot.case_ids if c in allowed]
    rows = store.read("views/cases", {"case_ids": wanted}, allowed_cases=allowed) if wanted else []
    snapshot.cases = [_case_summary(r["node"]) for r in rows]
    return snapshot


def _case_summary(node) -> dict:
    p = node.properties
    return {"case_id": node.key, "title": str(p.get("title") or ""), "unit": str(p.get("unit") or ""),
            "classification": str(p.get("classification") or "normal"),
            "opened": str(p.get("opened") or "")}


def _text(value: Any) -> str:
    if isinstance(value, list | tuple | set):
        return "; ".join(str(v) for v in value)
    return str(value)


def _int(params: dict, name: str, default: int, low: int, high: int) -> int:
    raw = params.get(name, default)
    if isinstance(raw, bool):
        raise BadSpec(f"{name} must be a whole number")
    try:
        value = int(raw)
    except (TypeError, ValueError) as exc:
        raise BadSpec(f"{name} must be a whole number") from exc
    if not low <= value <= high:
        raise BadSpec(f"{name} must be between {low} and {high}")
    return value


#: View kinds a package can be made from: kind -> function(store, actor, params) -> Snapshot.
KINDS: dict[str, Callable[[GraphStore, Actor, dict], Snapshot]] = {
    "entity-network": _entity_network,
    "saved-query": _saved_query,
    "path": _paths,
    "cross-case": _cross_case,
}
