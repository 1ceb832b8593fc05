"""Entities and their neighbourhoods, as the caller may see them.

Every function takes the actor and reads through the store with the actor's visible case
ids; an entity the caller may not see raises :class:`NotFound` through the same code path
and the same query as one that does not exist.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graphapp import model
from graphapp.access import Actor, ensure_allowed, visible_case_ids
from graphapp.services.labels import entity_label, shown_properties
from graphapp.store import GraphStore, Node, Relationship

MAX_HOPS = 3
DEFAULT_NODE_LIMIT = 150
FACT_LIMIT = 500


class NotFound(LookupError):
    """No entity by that id that the caller may see (the two are one answer)."""


@dataclass(frozen=True)
class Located:
    node: Node
    #: The store's internal id: valid for this request only, never shown.
    nid: int


def locate(store: GraphStore, actor: Actor, entity_id: str) -> Located:
    """Find a visible entity by its public id (``phone:+4670…``) or raise NotFound."""
    try:
        kind, key = model.parse_entity_id(entity_id)
    except model.InvalidEntityId as exc:
        raise NotFound(entity_id) from exc
    allowed = visible_case_ids(actor)
    rows = store.read(f"views/entity/{kind.kind}", {"key": key}, allowed_cases=allowed) if allowed else []
    if not rows:
        raise NotFound(entity_id)
    return Located(node=rows[0]["node"], nid=int(rows[0]["nid"]))


def _labels(store: GraphStore, allowed, nodes: dict[int, Node]) -> dict[int, dict]:
    """Label and visible cases of each node, from the facts the caller may see."""
    facts: dict[int, list[Relationship]] = defaultdict(list)
    if nodes:
        for row in store.read("views/labels", {"nids": list(nodes)}, allowed_cases=allowed):
            facts[int(row["nid"])].append(row["rel"])
    out = {}
    for nid, node in nodes.items():
        cases = sorted({f.case_id for f in facts[nid] if f.case_id in allowed})
        if node.kind == "case":
            cases = [node.key]
        out[nid] = {"id": node.id, "kind": node.kind, "label": entity_label(node, facts[nid]),
                    "cases": cases}
    return out


def describe(store: GraphStore, allowed, nodes: dict[int, Node]) -> dict[int, dict]:
    """``{"id", "kind", "label", "cases"}`` of each node (internal id of this request), from
    the facts of ``allowed`` cases only: what search and views show of an entity."""
    return _labels(store, allowed, nodes) if nodes else {}


def labels(store: GraphStore, actor: Actor, entity_ids) -> dict[str, dict]:
    """``{"id", "kind", "label", "cases"}`` of each of these entities that the actor may see,
    labelled from their visible facts, keyed by the id asked for; the others are left out."""
    allowed = visible_case_ids(actor)
    found: dict[int, Node] = {}
    asked: dict[int, list[str]] = defaultdict(list)
    for entity_id in sorted(set(entity_ids)):
        try:
            located = locate(store, actor, entity_id)
        except NotFound:
            continue
        found[located.nid] = located.node
        asked[located.nid].append(entity_id)
    labelled = _labels(store, allowed, found) if found else {}
    return {eid: labelled[nid] for nid, eids in asked.items() for eid in eids}


def entity(store: GraphStore, actor: Actor, entity_id: str) -> dict:
    """An entity, its visible facts with their sources, its visible cases, and ``hits``."""
    ensure_allowed(actor, "view-entity")
    allowed = visible_case_ids(actor)
    found = locate(store, actor, entity_id)
    rows = store.read("views/facts", {"nid": found.nid, "limit": FACT_LIMIT + 1},
                      allowed_cases=allowed)
    if not rows and found.node.kind != "case":
        raise NotFound(entity_id)
    truncated = len(rows) > FACT_LIMIT
    rows = rows[:FACT_LIMIT]
    nodes = {found.nid: found.node} | {int(r["other_nid"]): r["other"] for r in rows}
    labels = _labels(store, allowed, nodes)
    facts = []
    for row in rows:
        rel: Relationship = row["rel"]
        other = labels[int(row["other_nid"])]
        facts.append({
            "id": rel.id,
            "type": rel.type,
            "direction": "out" if rel.start == found.node.id else "in",
            "other": {k: other[k] for k in ("id", "kind", "label")},
            "case_id": rel.case_id,
            "source": rel.properties.get("source", ""),
            "properties": shown_properties(rel),
        })
    me = labels[found.nid]
    case_ids = sorted(set(me["cases"]) | {f["case_id"] for f in facts})
    cases = [_case_summary(r["node"])
             for r in store.read("views/cases", {"case_ids": case_ids}, allowed_cases=allowed)]
    return {"entity": me, "facts": facts, "cases": cases, "hits": [], "truncated": truncated}


def _case_summary(node: Node) -> dict:
    p = node.properties
    return {"case_id": node.key, "title": p.get("title", ""), "unit": p.get("unit", ""),
            "classification": p.get("classification", "normal"), "opened": p.get("opened", "")}


#: Neighbours shown per expanded node before the view says "N more, expand".
DEFAULT_PER_NODE = 50
MAX_PER_NODE = 5000
#: The largest view one request may ask for (the explorer measures 10,000 nodes).
MAX_NODE_LIMIT = 10_000
#: Date properties of facts, as (first, last): what the view's date filter reads.
FACT_DATES = (("first_seen", "last_seen"), ("check_in", "check_out"), ("first_call", "last_call"),
              ("posted", "posted"))


def network(store: GraphStore, actor: Actor, entity_id: str, hops: int = 1,
            limit: int = DEFAULT_NODE_LIMIT, per_node: int = DEFAULT_PER_NODE,
            through_cases: bool = False, explore: bool = False) -> dict:
    """The entity's neighbourhood up to ``hops`` over visible facts; cases are leaves unless
    ``through_cases``. Each expanded node shows at most ``per_node`` neighbours.

    Returns ``{"nodes", "edges", "truncated"}`` in the shape of DESIGN.md section 7. With
    ``explore`` (the explorer page) nodes also carry ``degree`` (visible neighbours in the whole
    graph) and ``more`` (how many of them the view leaves out), edges their ``first``/``last``
    dates, and ``capped`` names the nodes whose neighbours were cut at ``per_node``.
    """
    ensure_allowed(actor, "view-network")
    if not 1 <= hops <= MAX_HOPS:
        raise ValueError(f"hops must be between 1 and {MAX_HOPS}")
    if not 1 <= limit <= MAX_NODE_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_NODE_LIMIT}")
    if not 1 <= per_node <= MAX_PER_NODE:
        raise ValueError(f"per_node must be between 1 and {MAX_PER_NODE}")
    allowed = visible_case_ids(actor)
    start = locate(store, actor, entity_id)
    nodes: dict[int, Node] = {start.nid: start.node}
    edges: dict[str, Relationship] = {}
    totals: dict[int, int] = {}
    capped: set[int] = set()
    frontier = [start.nid]
    truncated = False
    for _ in range(hops):
        if not frontier:
            break
        expand_next = []
        for row in store.read("views/neighbours", {"nids": frontier, "skip": 0, "per_node": per_node},
                              allowed_cases=allowed):
            nid = int(row["nid"])
            totals[nid] = int(row["total"])
            if row["total"] > len(row["shown"]):
                capped.add(nid)
                truncated = True
            for item in row["shown"]:
                other_nid = int(item["other_nid"])
                if other_nid not in nodes:
                    if len(nodes) >= limit:
                        truncated = True
                        continue
                    nodes[other_nid] = item["other"]
                    if through_cases or item["other"].kind != "case":
                        expand_next.append(other_nid)
                for rel in item["rels"]:
                    if rel is not None:
                        edges[rel.id] = rel
        frontier = expand_next
    return _view(store, allowed, nodes, edges, truncated, explore, totals, capped)


def expand(store: GraphStore, actor: Actor, entity_id: str, offset: int = 0,
           limit: int = DEFAULT_PER_NODE) -> dict:
    """One node's visible neighbours, ``limit`` at a time from ``offset`` (a stable order), to
    merge into a drawn view: ``{"nodes", "edges", "truncated", "total", "offset", "more"}``,
    nodes and edges as :func:`network` gives them with ``explore``."""
    ensure_allowed(actor, "view-network")
    if not 1 <= limit <= MAX_PER_NODE:
        raise ValueError(f"limit must be between 1 and {MAX_PER_NODE}")
    if offset < 0:
        raise ValueError("offset must not be negative")
    allowed = visible_case_ids(actor)
    found = locate(store, actor, entity_id)
    nodes: dict[int, Node] = {found.nid: found.node}
    edges: dict[str, Relationship] = {}
    total = 0
    for row in store.read("views/neighbours", {"nids": [found.nid], "skip": offset, "per_node": limit},
                          allowed_cases=allowed):
        total = int(row["total"])
        for item in row["shown"]:
            nodes[int(item["other_nid"])] = item["other"]
            for rel in item["rels"]:
                if rel is not None:
                    edges[rel.id] = rel
    view = _view(store, allowed, nodes, edges, False, True, {}, set())
    shown_to = min(offset + limit, total)
    return {**view, "total": total, "offset": offset, "more": max(total - shown_to, 0)}


def _view(store: GraphStore, allowed, nodes: dict[int, Node], edges: dict[str, Relationship],
          truncated: bool, explore: bool, totals: dict[int, int], capped: set[int]) -> dict:
    labels = _labels(store, allowed, nodes)
    node_ids = {n.id for n in nodes.values()}
    out_edges = []
    for r in edges.values():
        if r.start not in node_ids or r.end not in node_ids:
            continue
        edge = {"id": r.id, "source": r.start, "target": r.end, "type": r.type,
                "case_id": r.case_id, "source_ref": r.properties.get("source", "")}
        if explore:
            edge.update(_fact_dates(r))
        out_edges.append(edge)
    out_nodes = [labels[nid] for nid in nodes]
    view = {"nodes": out_nodes, "edges": out_edges, "truncated": truncated}
    if explore:
        degree = dict(totals)
        unknown = [nid for nid in nodes if nid not in degree]
        if unknown:
            for row in store.read("views/degrees", {"nids": unknown}, allowed_cases=allowed):
                degree[int(row["nid"])] = int(row["degree"])
        in_view: dict[str, set[str]] = defaultdict(set)
        for e in out_edges:
            in_view[e["source"]].add(e["target"])
            in_view[e["target"]].add(e["source"])
        for nid, node in zip(nodes, out_nodes, strict=True):
            node["degree"] = degree.get(nid, 0)
            node["more"] = max(node["degree"] - len(in_view[node["id"]]), 0)
        view["capped"] = sorted(nodes[nid].id for nid in capped if nid in nodes)
    return view


def _fact_dates(rel: Relationship) -> dict:
    """The first and last date a fact states (ISO strings, dates only), or empty strings."""
    p = rel.properties
    for first, last in FACT_DATES:
        if p.get(first) or p.get(last):
            a = str(p.get(first) or p.get(last))[:10]
            b = str(p.get(last) or p.get(first))[:10]
            return {"first": min(a, b), "last": max(a, b)}
    return {"first": "", "last": ""}
