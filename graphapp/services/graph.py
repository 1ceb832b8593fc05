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
MAX_NODE_LIMIT = 500
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


def network(store: GraphStore, actor: Actor, entity_id: str, hops: int = 1,
            limit: int = DEFAULT_NODE_LIMIT) -> dict:
    """The entity's neighbourhood up to ``hops`` over visible facts; cases are leaves.

    Returns ``{"nodes", "edges", "truncated"}`` in the shape of DESIGN.md section 7.
    """
    ensure_allowed(actor, "view-network")
    if not 1 <= hops <= MAX_HOPS:
        raise ValueError(f"hops must be between 1 and {MAX_HOPS}")
    if not 1 <= limit <= MAX_NODE_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_NODE_LIMIT}")
    allowed = visible_case_ids(actor)
    start = locate(store, actor, entity_id)
    nodes: dict[int, Node] = {start.nid: start.node}
    edges: dict[str, Relationship] = {}
    frontier = [start.nid]
    truncated = False
    for _ in range(hops):
        if not frontier:
            break
        row_cap = limit * 10
        rows = store.read("views/expand", {"nids": frontier, "limit": row_cap},
                          allowed_cases=allowed)
        truncated |= len(rows) >= row_cap
        expand_next = []
        for row in rows:
            other_nid = int(row["other_nid"])
            if other_nid not in nodes:
                if len(nodes) >= limit:
                    truncated = True
                    continue
                nodes[other_nid] = row["other"]
                if row["other"].kind != "case":
                    expand_next.append(other_nid)
            edges[row["rel"].id] = row["rel"]
        frontier = expand_next
    labels = _labels(store, allowed, nodes)
    node_ids = {n.id for n in nodes.values()}
    return {
        "nodes": [labels[nid] for nid in nodes],
        "edges": [
            {"id": r.id, "source": r.start, "target": r.end, "type": r.type,
             "case_id": r.case_id, "source_ref": r.properties.get("source", "")}
            for r in edges.values() if r.start in node_ids and r.end in node_ids
        ],
        "truncated": truncated,
    }
