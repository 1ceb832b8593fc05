"""Paths between two entities over the facts the caller may see, never through a Case node.

FalkorDB's path functions take no predicate on the relationships they cross, and filtering the
paths they find afterwards misses a longer visible path whenever the shortest one crosses a
hidden case (FALKORDB.md). So the search is ours: a bidirectional breadth-first search that
expands only visible facts, one filtered query per hop and side (``views/paths_expand``: a
frontier of internal ids in, neighbour ids out, on both backends alike). Each step expands the
side whose frontier is smaller, so a busy hotel on one side does not blow up the other; while
both frontiers are small, both sides go out in one round trip.

**k shortest.** The search keeps every node and link it explores. After it has gone ``rs``
hops from the start and ``rt`` from the target, that explored subgraph holds *every* visible
path of at most ``rs + rt`` hops: on such a path, the links before position ``rs`` leave nodes
nearer than ``rs`` to the start (expanded from the start's side), the others leave nodes nearer
than ``rt`` to the target (expanded from the target's side). So Yen's algorithm
(``networkx.shortest_simple_paths``) on the explored subgraph gives the true k shortest paths as
long as they are no longer than ``rs + rt``; the search stops as soon as it has ``k`` of them,
or at the hop limit. Enumerating "all shortest, then all next-shortest" would have to list
every path of a length before knowing whether k are needed (hundreds of equal paths through a
hub); Yen's yields them one at a time, shortest first, and stops at k.

Paths are counted by their nodes: two facts joining the same two entities (one person's
``USES`` of a phone in two cases) are one hop, and the chain lists both as its sources.
Merge suggestions are not facts and are not followed.
"""

from __future__ import annotations

import time
from collections import defaultdict
from itertools import batched, islice

import networkx as nx

from graphapp.access import Actor, ensure_allowed, visible_case_ids
from graphapp.services import graph
from graphapp.services.labels import shown_properties
from graphapp.store import GraphStore, Node, Relationship

DEFAULT_MAX_HOPS = 6
MAX_HOPS = 8
DEFAULT_K = 1
MAX_K = 10
#: Frontier ids per expansion query (a busy hop is split into several queries).
CHUNK = 2000
#: Both sides are expanded in one round trip while neither frontier holds more nodes.
PAIRED_FRONTIER = 10
#: Nodes the search may explore before it gives up and says so (``truncated``).
MAX_EXPLORED = 200_000
#: Seconds of store time the whole search may take.
TIME_BUDGET = 20.0

#: How a fact reads in a chain ("Ioana -stayed at-> Hotell Vättern").
VERBS = {
    "USES": "uses", "RESIDES_AT": "resides at", "STAYED_AT": "stayed at",
    "LOCATED_AT": "located at", "CALLED": "called", "LISTS": "lists",
    "ASSOCIATED_WITH": "associated with",
}


class BadPathRequest(ValueError):
    """The request cannot be answered as asked; the message is safe to show."""


def find_paths(store: GraphStore, actor: Actor, source_id: str, target_id: str,
               max_hops: int = DEFAULT_MAX_HOPS, k: int = DEFAULT_K) -> dict:
    """The ``k`` shortest paths of at most ``max_hops`` visible facts between two entities.

    Returns ``{"paths": [{"nodes", "edges", "hops", "chain"}], "from", "to", "max_hops", "k",
    "explored", "truncated", "cases"}``, shortest first; nodes and edges in the shape of the
    network view (DESIGN.md section 7), ``chain`` the readable steps with their sources.

    :raise graph.NotFound: either entity does not exist or is not one the actor may see.
    :raise BadPathRequest: a case as an end, the same entity twice, or bounds out of range.
    """
    ensure_allowed(actor, "find-paths")
    if not 1 <= max_hops <= MAX_HOPS:
        raise BadPathRequest(f"max_hops must be between 1 and {MAX_HOPS}")
    if not 1 <= k <= MAX_K:
        raise BadPathRequest(f"k must be between 1 and {MAX_K}")
    allowed = visible_case_ids(actor)
    start, end = graph.locate_all(store, actor, [source_id, target_id])
    if "case" in (start.node.kind, end.node.kind):
        raise BadPathRequest("paths join entities, never cases: pick a person, phone, address, "
                             "hotel or advert")
    if start.nid == end.nid:
        raise BadPathRequest("from and to are the same entity")
    found, explored, truncated = _search(store, allowed, start.nid, end.nid, max_hops, k)
    answer = {"from": start.node.id, "to": end.node.id, "max_hops": max_hops, "k": k,
              "explored": explored, "truncated": truncated, "paths": [], "cases": []}
    if found:
        answer["paths"] = _describe(store, allowed, found)
        answer["cases"] = sorted({e["case_id"] for p in answer["paths"] for e in p["edges"]})
    return answer


def _search(store: GraphStore, allowed, source: int, target: int, max_hops: int,
            k: int) -> tuple[list[list[int]], int, bool]:
    """Bidirectional breadth-first search over visible facts; Yen's on what it explored.

    Returns the node-id sequences of up to ``k`` shortest paths, how many nodes were explored,
    and whether a bound (nodes or time) stopped the search early.
    """
    explored = nx.Graph()
    explored.add_nodes_from((source, target))
    dist = {source: {source: 0}, target: {target: 0}}
    frontier = {source: [source], target: [target]}
    radius = {source: 0, target: 0}
    began = time.monotonic()
    truncated = False
    complete = False
    while radius[source] + radius[target] < max_hops:
        if not frontier[source] or not frontier[target]:
            # One side has no node left to expand: its whole component is explored, so every
            # path there is to find is in the explored subgraph already.
            complete = True
            break
        sides = _sides_to_expand(frontier, radius, source, target, max_hops)
        reads = [(side, list(chunk)) for side in sides for chunk in batched(frontier[side], CHUNK)]
        answers = store.read_all([("views/paths_expand", {"nids": chunk}) for _side, chunk in reads],
                                 allowed_cases=allowed, timeout=TIME_BUDGET)
        nxt: dict[int, list[int]] = {side: [] for side in sides}
        for (side, _chunk), rows in zip(reads, answers, strict=True):
            seen = dist[side]
            for row in rows:
                nid = int(row["nid"])
                for other in row["others"]:
                    other = int(other)
                    explored.add_edge(nid, other)
                    if other not in seen:
                        seen[other] = radius[side] + 1
                        nxt[side].append(other)
        for side in sides:
            frontier[side] = nxt[side]
            radius[side] += 1
        reach = radius[source] + radius[target]
        if nx.has_path(explored, source, target):
            paths = _k_shortest(explored, source, target, k, reach)
            if len(paths) >= k:
                return paths, explored.number_of_nodes(), False
        if explored.number_of_nodes() > MAX_EXPLORED or time.monotonic() - began > TIME_BUDGET:
            truncated = True
            break
    reach = max_hops if complete else min(radius[source] + radius[target], max_hops)
    if not nx.has_path(explored, source, target):
        return [], explored.number_of_nodes(), truncated
    return _k_shortest(explored, source, target, k, reach), explored.number_of_nodes(), truncated


def _sides_to_expand(frontier: dict[int, list[int]], radius: dict[int, int], source: int,
                     target: int, max_hops: int) -> list[int]:
    """The side whose frontier is smaller (the start's on a tie), or both sides in one round
    trip while both frontiers are small and the hop limit leaves room for two hops: a short
    search then waits on the store half as often, and no busy frontier is expanded early."""
    side = min((source, target), key=lambda s: (len(frontier[s]), s != source))
    both = (max(len(frontier[source]), len(frontier[target])) <= PAIRED_FRONTIER
            and radius[source] + radius[target] + 2 <= max_hops)
    return [source, target] if both else [side]


def _k_shortest(g: nx.Graph, source: int, target: int, k: int, reach: int) -> list[list[int]]:
    """Up to ``k`` shortest simple paths of at most ``reach`` hops (Yen's, shortest first)."""
    out = []
    for path in islice(nx.shortest_simple_paths(g, source, target), k):
        if len(path) - 1 > reach:
            break
        out.append(path)
    return out


def _describe(store: GraphStore, allowed, found: list[list[int]]) -> list[dict]:
    """Nodes, facts and a readable chain for each path, from the facts the caller may see."""
    pairs = sorted({(a, b) for path in found for a, b in zip(path, path[1:], strict=False)})
    facts: dict[frozenset[int], list[Relationship]] = defaultdict(list)
    nodes: dict[int, Node] = {}
    # The labels are read beside the facts: a path's nodes are never cases (the search does
    # not cross them), so their ids are all the label reads need.
    on_paths = list(dict.fromkeys(nid for path in found for nid in path))
    fact_rows, *label_answers = store.read_all(
        [("views/paths_facts", {"pairs": [list(p) for p in pairs]}),
         *graph.label_reads_of_ids(on_paths)], allowed_cases=allowed)
    for row in fact_rows:
        if row["rel"] is None or row["a"] is None or row["b"] is None:
            continue  # redacted: the store's second look found a hidden fact
        a, b = int(row["a_nid"]), int(row["b_nid"])
        nodes[a], nodes[b] = row["a"], row["b"]
        facts[frozenset((a, b))].append(row["rel"])
    labels = graph.labels_from((row for rows in label_answers for row in rows), allowed, nodes)
    out = []
    for path in found:
        hops = list(zip(path, path[1:], strict=False))
        if any(not facts[frozenset(h)] for h in hops):
            continue  # a fact went away between the search and now
        edges, chain = [], []
        for a, b in hops:
            rels = sorted(facts[frozenset((a, b))], key=lambda r: (r.case_id or "", r.id))
            for r in rels:
                edges.append({"id": r.id, "source": r.start, "target": r.end, "type": r.type,
                              "case_id": r.case_id, "source_ref": r.properties.get("source", "")})
            chain.append(_step(labels[a], labels[b], rels))
        out.append({"nodes": [labels[n] for n in path], "edges": edges, "hops": len(hops),
                    "chain": chain})
    return out


def _step(a: dict, b: dict, rels: list[Relationship]) -> dict:
    """One hop of a chain: who, the facts (verb, direction, case, source, what they state)."""
    said = []
    for r in rels:
        forward = r.start == a["id"]
        said.append({"type": r.type, "verb": VERBS.get(r.type, r.type.lower().replace("_", " ")),
                     "forward": forward, "case_id": r.case_id,
                     "source": r.properties.get("source", ""),
                     "details": _details(r)})
    return {"from": {k: a[k] for k in ("id", "kind", "label")},
            "to": {k: b[k] for k in ("id", "kind", "label")}, "facts": said,
            "text": chain_text(a["label"], b["label"], said)}


def _details(rel: Relationship) -> str:
    """What a fact states besides its ends, briefly: dates, room, kind, count."""
    p = shown_properties(rel)
    parts = []
    for first, last in graph.FACT_DATES:
        if p.get(first) or p.get(last):
            a, b = str(p.get(first) or ""), str(p.get(last) or "")
            parts.append(a if not b or a == b else f"{a} to {b}" if a else b)
            break
    for key in ("room", "kind", "count"):
        if p.get(key):
            parts.append(f"{key} {p[key]}")
    return ", ".join(parts)


def chain_text(a: str, b: str, facts: list[dict]) -> str:
    """``Ioana -stayed at (case K-MITT-02, MITT-H1)-> Hotell Vättern``; a fact that points the
    other way reads ``<-called (…)-``; several facts on one hop are joined with ``;``."""
    parts = []
    for f in facts:
        where = f"case {f['case_id']}, {f['source']}" if f["source"] else f"case {f['case_id']}"
        if f["details"]:
            where += f"; {f['details']}"
        arrow = (f"-{f['verb']} ({where})->" if f["forward"] else f"<-{f['verb']} ({where})-")
        parts.append(arrow)
    return f"{a} {' '.join(parts) if len(parts) == 1 else '[' + ' | '.join(parts) + ']'} {b}"
