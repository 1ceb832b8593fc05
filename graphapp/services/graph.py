"""Entities and their neighbourhoods, as the caller may see them.

Every function takes the actor and reads through the store with the actor's visible case
ids; an entity the caller may not see raises :class:`NotFound` through the same code path
and the same query as one that does not exist.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import chain

from graphapp import model
from graphapp.access import Actor, ensure_allowed, visible_case_ids
from graphapp.services.labels import SPELLED, label_from_spellings, shown_properties, spelling
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
    return locate_all(store, actor, [entity_id])[0]


def locate_all(store: GraphStore, actor: Actor, entity_ids: list[str]) -> list[Located]:
    """:func:`locate` for each of these ids, in one read per kind; NotFound names the first
    (in this order) that is not there or not visible."""
    found = _located(store, visible_case_ids(actor), entity_ids)
    for entity_id in entity_ids:
        if entity_id not in found:
            raise NotFound(entity_id)
    return [found[entity_id] for entity_id in entity_ids]


def _located(store: GraphStore, allowed, entity_ids) -> dict[str, Located]:
    """The visible entities among these ids, by id, read by kind side by side (a few thousand
    keys a read); ids that are malformed, missing or invisible are left out alike."""
    lookup = _Lookup(entity_ids)
    if not allowed or not lookup.reads:
        return {}
    return lookup.found(store.read_all(lookup.reads, allowed_cases=allowed))


class _Lookup:
    """The reads that find entities by id (``views/entity/<kind>``, by kind), for a caller that
    may send them beside reads of its own, and what they found."""

    def __init__(self, entity_ids) -> None:
        self.keys: dict[str, dict[str, list[str]]] = defaultdict(dict)
        for entity_id in entity_ids:
            try:
                kind, key = model.parse_entity_id(entity_id)
            except model.InvalidEntityId:
                continue
            self.keys[kind.kind].setdefault(key, []).append(entity_id)
        chunks = [(kind, chunk) for kind, by_key in self.keys.items() for chunk in _chunks(list(by_key))]
        self.kinds = [kind for kind, _chunk in chunks]
        self.reads = [(f"views/entity/{kind}", {"keys": chunk}) for kind, chunk in chunks]

    def found(self, answers) -> dict[str, Located]:
        """The visible entities by id, from the answers to :attr:`reads` (in that order)."""
        found: dict[str, Located] = {}
        for kind, rows in zip(self.kinds, answers, strict=True):
            for row in rows:
                for entity_id in self.keys[kind].get(row["key"], ()):
                    found[entity_id] = Located(node=row["node"], nid=int(row["nid"]))
        return found


#: Node ids per batched read (labels, degrees, neighbours): a few thousand per query.
BATCH = 4000


def _chunks(items: list, size: int = BATCH):
    for i in range(0, len(items), size):
        yield items[i:i + size]


def _labels(store: GraphStore, allowed, nodes: dict[int, Node]) -> dict[int, dict]:
    """Label and visible cases of each node, from the facts the caller may see: one query per
    :data:`BATCH` nodes, answering counted spellings, not fact objects."""
    rows = chain.from_iterable(store.read(name, params, allowed_cases=allowed)
                               for name, params in label_reads(nodes))
    return labels_from(rows, allowed, nodes)


def label_reads(nodes: dict[int, Node], parts: int = 1) -> list[tuple[str, dict]]:
    """The reads :func:`labels_from` needs for ``nodes``: at most :data:`BATCH` ids a read,
    in ``parts`` reads or more (for a caller that runs them side by side with
    ``store.read_all``: the cross-case report's label reads take many milliseconds each)."""
    return label_reads_of_ids([nid for nid, node in nodes.items() if node.kind != "case"], parts)


def label_reads_of_ids(nids: list[int], parts: int = 1) -> list[tuple[str, dict]]:
    """:func:`label_reads` for ids already known not to be cases."""
    size = max(1, min(BATCH, -(-len(nids) // max(parts, 1))))
    return [("views/labels", {"nids": chunk}) for chunk in _chunks(nids, size)]


def labels_from(rows, allowed, nodes: dict[int, Node]) -> dict[int, dict]:
    """``{"id", "kind", "label", "cases"}`` of each node from the rows of :func:`label_reads`
    (rows of nodes not in ``nodes``, which a view or path left out, are skipped)."""
    spellings: dict[int, Counter] = defaultdict(Counter)
    cases: dict[int, set[str]] = defaultdict(set)
    for row in rows:
        nid = int(row["nid"])
        if nid not in nodes:
            continue
        shown = [c for c in row["cases"] if c in allowed]  # defence in depth
        if len(shown) < len(row["cases"]):
            continue
        cases[nid].update(shown)
        spelled = dict(zip(SPELLED, row["spelled"], strict=True))
        spellings[nid][spelling(nodes[nid].kind, row["type"], spelled)] += int(row["facts"])
    out = {}
    for nid, node in nodes.items():
        shown = [node.key] if node.kind == "case" else sorted(cases[nid])
        out[nid] = {"id": node.id, "kind": node.kind, "label": label_from_spellings(node, spellings[nid]),
                    "cases": shown}
    return out


def describe(store: GraphStore, allowed, nodes: dict[int, Node]) -> dict[int, dict]:
    """``{"id", "kind", "label", "cases"}`` of each node (internal id of this request), from
    the facts of ``allowed`` cases only: what search and views show of an entity."""
    return _labels(store, allowed, nodes) if nodes else {}


def labels(store: GraphStore, actor: Actor, entity_ids) -> dict[str, dict]:
    """``{"id", "kind", "label", "cases"}`` of each of these entities that the actor may see,
    labelled from their visible facts, keyed by the id asked for; the others are left out."""
    allowed = visible_case_ids(actor)
    located = _located(store, allowed, set(entity_ids))
    nodes = {at.nid: at.node for at in located.values()}
    labelled = _labels(store, allowed, nodes) if nodes else {}
    return {eid: labelled[at.nid] for eid, at in located.items()}


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

    Reads go side by side where one does not wait for another (``store.read_all``): the
    entity comes with its neighbours and, for a second hop, theirs (views/neighbours_start);
    facts wait to be read beside the next neighbours, or after the last hop beside the labels
    and degrees of the view's nodes. A 2-hop view is two round trips to the store (the entity
    and the neighbours, then the rest), not six.
    """
    ensure_allowed(actor, "view-network")
    if not 1 <= hops <= MAX_HOPS:
        raise ValueError(f"hops must be between 1 and {MAX_HOPS}")
    if not 1 <= limit <= MAX_NODE_LIMIT:
        raise ValueError(f"limit must be between 1 and {MAX_NODE_LIMIT}")
    if not 1 <= per_node <= MAX_PER_NODE:
        raise ValueError(f"per_node must be between 1 and {MAX_PER_NODE}")
    allowed = visible_case_ids(actor)
    start, first, ahead = _start(store, allowed, entity_id, per_node, through_cases, hops > 1)
    nodes: dict[int, Node] = {start.nid: start.node}
    edges: dict[str, Relationship] = {}
    totals: dict[int, int] = {}
    capped: set[int] = set()
    # Every node the view keeps, in order (is it a case?), its facts read or not yet.
    kept: dict[int, bool] = {start.nid: start.node.kind == "case"}
    # Pairs whose facts were read (either way round): the next hop's frontier sees the nodes
    # that led to it again, and reading those facts twice was 28% of a 10,000-node view's.
    read: set[tuple[int, int]] = set()
    truncated = False
    rows = _neighbours_from([first], [start.nid])
    # Facts not read yet, per hop: (the pairs whose facts it needs, the nodes it added).
    waiting: list[tuple[dict[tuple[int, int], None], dict[int, bool]]] = []
    for hop in range(hops):
        # Which neighbours the view keeps (ids only), then the facts of the kept pairs.
        pairs: dict[tuple[int, int], None] = {}
        added: dict[int, bool] = {}  # new node -> is a case
        for nid, total, shown, is_case in rows:
            totals[nid] = total
            if total > len(shown):
                capped.add(nid)
                truncated = True
            for other_nid, other_is_case in zip(shown, is_case, strict=True):
                if other_nid not in kept and other_nid not in added:
                    if len(kept) + len(added) >= limit:
                        truncated = True
                        continue
                    added[other_nid] = other_is_case
                either = (nid, other_nid) if nid < other_nid else (other_nid, nid)
                if either not in read:
                    read.add(either)
                    pairs[(nid, other_nid)] = None
        kept.update(added)
        waiting.append((pairs, added))
        frontier = [nid for nid, is_case in added.items() if through_cases or not is_case]
        last = hop == hops - 1 or not frontier
        if last:
            non_case = [nid for nid, is_case in kept.items() if not is_case]
            unknown = [nid for nid in kept if nid not in totals] if explore else []
            labels_asked, degrees_asked = label_reads_of_ids(non_case), _degree_reads(unknown)
            follow = labels_asked + degrees_asked
        elif hop == 0:
            # The second hop's neighbours came with the first's (views/neighbours_start).
            rows = _neighbours_from([ahead], frontier)
            continue
        else:
            follow = _neighbour_reads(frontier, 0, per_node)
        # One read for the waiting hops' pairs (each pair is in one hop): a query saved is
        # worth more than its rows at 1M facts, where each costs the server 0.1-0.2 ms to start.
        fact_reads = _fact_reads([pair for pairs_of_hop, _added in waiting for pair in pairs_of_hop])
        answers = store.read_all(fact_reads + follow, allowed_cases=allowed)
        at = len(fact_reads)
        rows_by_pair: dict[tuple[int, int], list[dict]] = defaultdict(list)
        for row in chain.from_iterable(answers[:at]):
            rows_by_pair[(int(row["nid"]), int(row["other_nid"]))].append(row)
        for pairs_of_hop, hop_added in waiting:
            made, rels = _facts_from(chain.from_iterable(rows_by_pair.get(pair, ()) for pair in pairs_of_hop),
                                     nodes, allowed)
            # A node whose facts were not found (withdrawn meanwhile) is left out.
            nodes.update((nid, made[nid]) for nid in hop_added if nid in made)
            for rel in rels:
                edges[rel.id] = rel
        waiting = []
        if last:
            break
        rows = _neighbours_from(answers[at:], [nid for nid in frontier if nid in nodes])
    labels_at = len(fact_reads) + len(labels_asked)
    return _view(nodes, edges, truncated, explore, totals, capped, allowed,
                 answers[len(fact_reads):labels_at], answers[labels_at:])


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
    rows = _neighbours_from(store.read_all(_neighbour_reads([found.nid], offset, limit),
                                           allowed_cases=allowed), [found.nid])
    _nid, total, shown, is_case = rows[0] if rows else (found.nid, 0, [], [])
    pairs = [(found.nid, other_nid) for other_nid in shown]
    fact_reads = _fact_reads(pairs)
    non_case = ([found.nid] if found.node.kind != "case" else []) + [
        nid for nid, case in zip(shown, is_case, strict=True) if not case]
    labels_asked, degrees_asked = label_reads_of_ids(non_case), _degree_reads([found.nid, *shown])
    answers = store.read_all(fact_reads + labels_asked + degrees_asked, allowed_cases=allowed)
    made, rels = _facts_from(chain.from_iterable(answers[:len(fact_reads)]), nodes, allowed)
    nodes.update((other_nid, made[other_nid]) for other_nid in shown if other_nid in made)
    for rel in rels:
        edges[rel.id] = rel
    labels_at = len(fact_reads) + len(labels_asked)
    view = _view(nodes, edges, False, True, {}, set(), allowed, answers[len(fact_reads):labels_at],
                 answers[labels_at:])
    shown_to = min(offset + limit, total)
    return {**view, "total": total, "offset": offset, "more": max(total - shown_to, 0)}


def _neighbour_reads(nids: list[int], skip: int, per_node: int) -> list[tuple[str, dict]]:
    return [("views/neighbours", {"nids": chunk, "skip": skip, "per_node": per_node})
            for chunk in _chunks(nids)]


def _neighbours_from(answers, nids: list[int]) -> list[tuple[int, int, list[int], list[bool]]]:
    """``(nid, total, [neighbour nids], [is each a case])`` for each of ``nids`` that the reads
    of :func:`_neighbour_reads` answered, in that order (which neighbours a view keeps under its
    limit depends on it): its visible neighbours in a stable order (kind, then id),
    ``per_node`` of them from ``skip``."""
    rows = {int(row["nid"]): row for row in chain.from_iterable(answers)}
    return [(nid, int(rows[nid]["total"]), [int(o) for o in rows[nid]["shown"]],
             [bool(c) for c in rows[nid]["shown_cases"]]) for nid in nids if nid in rows]


def _start(store: GraphStore, allowed, entity_id: str, per_node: int, through_cases: bool,
           ahead: bool) -> tuple[Located, list[dict], list[dict]]:
    """The view's entity and its neighbours (:func:`_neighbours_from` rows: the entity's, and
    with ``ahead`` those of the neighbours a view expands next), in one round trip: the
    look-up alone decides whether the caller may see the entity (else NotFound)."""
    lookup = _Lookup([entity_id])
    if not allowed or not lookup.reads:
        raise NotFound(entity_id)
    kind, key = model.parse_entity_id(entity_id)
    neighbours = ("views/neighbours_start", {"kind": kind.kind, "key": key, "per_node": per_node,
                                             "through_cases": through_cases, "ahead": ahead})
    answers = store.read_all([*lookup.reads, neighbours], allowed_cases=allowed)
    start = lookup.found(answers[:-1]).get(entity_id)
    if start is None:
        raise NotFound(entity_id)
    rows = [row for row in answers[-1] if int(row["hop"]) == 0 and int(row["nid"]) == start.nid]
    return start, rows, [row for row in answers[-1] if int(row["hop"]) == 1]


def _fact_reads(pairs: list[tuple[int, int]]) -> list[tuple[str, dict]]:
    return [("views/neighbour_facts", {"pairs": chunk})
            for chunk in _chunks([list(p) for p in pairs])]


def _degree_reads(nids: list[int]) -> list[tuple[str, dict]]:
    return [("views/degrees", {"nids": chunk}) for chunk in _chunks(nids)]


def _facts_from(rows, known: dict[int, Node], allowed) -> tuple[dict[int, Node], list[Relationship]]:
    """The visible facts between each pair ``(node, neighbour)`` (``node`` in ``known``) from
    the rows of :func:`_fact_reads`, and the neighbours not in ``known`` as nodes, from the
    query's plain fields."""
    made: dict[int, Node] = {}
    rels: list[Relationship] = []
    for row in rows:
        if int(row["nid"]) not in known:
            continue  # a node whose own facts went away meanwhile: not in the view
        me = known[int(row["nid"])].id
        other_nid = int(row["other_nid"])
        other = known.get(other_nid) or made.get(other_nid)
        if other is None:
            kind = model.ENTITY_KINDS[row["label"]]
            key = str(row["key"])
            other = Node(id=kind.entity_id(key), kind=kind.kind, key=key)
        rel_key, rel_type, out, case_id, other_case_id, source, dates = row["fact"]
        # Defence in depth after the query's own filter (as scope_value does).
        if case_id not in allowed or (other_case_id is not None and other_case_id not in allowed):
            continue
        props = {"case_id": case_id, "source": source or ""}
        if other_case_id is not None:
            props["other_case_id"] = other_case_id
        if dates:  # as the first pair of FACT_DATES that the fact holds
            props["first_seen"], props["last_seen"] = dates
        start, end = (me, other.id) if out else (other.id, me)
        rels.append(Relationship(id=str(rel_key), type=rel_type, start=start, end=end,
                                 properties=props))
        if other_nid not in known:
            made[other_nid] = other
    return made, rels


def _view(nodes: dict[int, Node], edges: dict[str, Relationship], truncated: bool, explore: bool,
          totals: dict[int, int], capped: set[int], allowed, label_answers: list[list[dict]],
          degree_answers: list[list[dict]]) -> dict:
    """The view from its nodes and edges and the answers of :func:`label_reads_of_ids` and
    :func:`_degree_reads` (rows of nodes the view did not keep are left out)."""
    labels = labels_from(chain.from_iterable(label_answers), allowed, nodes)
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
        for row in chain.from_iterable(degree_answers):
            degree.setdefault(int(row["nid"]), int(row["degree"]))
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
