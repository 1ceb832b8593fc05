"""Cross-case links: the entities that join two or more of the caller's investigations.

An entity with facts in several visible cases is where investigations should talk to each
other: the same phone in Jönköping and Helsingborg, one hotel in three operations. The report
walks out from the caller's allowed Case nodes (``views/links_cross_case_*``), never scans every
node's ``case_ids`` (FALKORDB.md measured both: the walk costs what the caller's cases hold, the
scan what the database holds). For each entity it shows its visible cases, their regions (the
cases' units), the first and last date its visible facts state, and the hits in cases the
caller cannot see, by the rules of :mod:`graphapp.services.hits` (normal: case, unit, contact;
restricted: unit and contact; covert: nothing, and the covert case's owners are notified).

Ranking: more visible cases first, then more regions, then more hits, then kind and label.
The case-to-case network joins two visible cases by the entities they share.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import batched, chain

import numpy as np

from graphapp import model
from graphapp.access import Actor, allowed, ensure_allowed, visible_case_ids
from graphapp.services import graph, hits
from graphapp.settings import Settings
from graphapp.store import GraphStore, Node
from graphapp.store.types import make_node

DEFAULT_LIMIT = 200
MAX_LIMIT = 2000
#: Case pairs the case-to-case network shows, those sharing the most entities: a reader of
#: 711 cases at 1M facts has 84,000 pairs, more than a page or a drawing can hold.
NETWORK_EDGES = 500
KINDS = ("person", "phone", "address", "hotel", "advert")
#: Entities per read when the report fetches dates and hidden cases.
CHUNK = 1000


class BadLinksRequest(ValueError):
    """The request cannot be answered as asked; the message is safe to show."""


def cross_case(store: GraphStore, settings: Settings | None, actor: Actor, min_cases: int = 2,
               kinds: tuple[str, ...] = KINDS, limit: int = DEFAULT_LIMIT, *,
               client: str = "", with_hits: bool = True) -> dict:
    """The ranked report and the case-to-case network.

    Returns ``{"links": [{"id", "kind", "label", "cases", "regions", "first", "last",
    "hits", "hit_count"}], "total", "truncated", "cases": [case summaries],
    "network": {"nodes", "edges", "edges_total", "truncated"}, "min_cases"}`` (the network
    holds the :data:`NETWORK_EDGES` case pairs sharing the most entities). ``hits`` are
    empty for a role without ``check-hit`` (covert owners are notified all the same, as on an
    entity page), and for ``with_hits=False`` (an evidence package: no hidden case is read,
    no one is notified; ``settings`` is then not needed).

    :raise BadLinksRequest: ``min_cases`` below 2, an unknown kind, or ``limit`` out of range.
    """
    ensure_allowed(actor, "view-cross-case")
    if not 2 <= min_cases <= 100:
        raise BadLinksRequest("min_cases must be between 2 and 100")
    if not 1 <= limit <= MAX_LIMIT:
        raise BadLinksRequest(f"limit must be between 1 and {MAX_LIMIT}")
    unknown = set(kinds) - set(KINDS)
    if unknown or not kinds:
        raise BadLinksRequest(f"kinds must be some of: {', '.join(KINDS)}")
    visible = visible_case_ids(actor)
    empty = {"links": [], "total": 0, "truncated": False, "cases": [],
             "network": {"nodes": [], "edges": [], "edges_total": 0, "truncated": False},
             "min_cases": min_cases}
    if not visible:
        return empty
    by_nid: dict[int, Node] = {}
    cases_of: dict[int, list[str]] = {}
    # The walk in two parts that share no entity (persons; the rest) side by side, and the
    # caller's cases beside them (the ranking needs their regions).
    persons, entities, case_rows = store.read_all(
        [("views/links_cross_case_persons", {"min_cases": min_cases}),
         ("views/links_cross_case_entities", {"min_cases": min_cases}),
         ("views/cases", {"case_ids": sorted(visible)})], allowed_cases=visible)
    for row in chain(persons, entities):
        cases = sorted(set(row["cases"]) & visible)
        node = _node(row["label"], row["key"], cases)
        if node is not None and node.kind in kinds and len(cases) >= min_cases:
            by_nid[int(row["nid"])] = node
            cases_of[int(row["nid"])] = cases
    linked = {c for cs in cases_of.values() for c in cs}
    case_info = {c["case_id"]: c for c in _case_summaries(case_rows) if c["case_id"] in linked}
    network = _case_network(case_info, by_nid, cases_of, NETWORK_EDGES)
    # Rank on what needs no further read, then read labels, dates and hits for the top only.
    regions_of = {nid: sorted({case_info[c]["unit"] for c in cs if c in case_info})
                  for nid, cs in cases_of.items()}
    order = sorted(by_nid, key=lambda n: (-len(cases_of[n]), -len(regions_of[n]),
                                          KINDS.index(by_nid[n].kind), by_nid[n].key))
    top = order[:limit]
    top_nodes = {nid: by_nid[nid] for nid in top}
    # Labels, dates and hidden cases do not wait for each other (store.read_all).
    label_reads = graph.label_reads(top_nodes, parts=store.concurrent_reads)
    date_reads = [("views/links_dates", {"nids": list(chunk)}) for chunk in batched(top, CHUNK)]
    hidden_reads = ([("views/links_hidden", {"nids": list(chunk)}) for chunk in batched(top, CHUNK)]
                    if with_hits else [])
    answers = store.read_all(label_reads + date_reads + hidden_reads, allowed_cases=visible)
    label_rows = answers[:len(label_reads)]
    date_rows = answers[len(label_reads):len(label_reads) + len(date_reads)]
    hidden_rows = answers[len(label_reads) + len(date_reads):]
    labels = graph.labels_from(chain.from_iterable(label_rows), visible, top_nodes)
    dates = {int(row["nid"]): (row["first"] or "", row["last"] or "")
             for row in chain.from_iterable(date_rows)}
    shown_hits = (_hits(settings, actor, top_nodes, chain.from_iterable(hidden_rows), client=client)
                  if with_hits else {})
    links = []
    for nid in top:
        node = by_nid[nid]
        found = shown_hits.get(node.id, [])
        links.append({**labels[nid], "cases": cases_of[nid], "regions": regions_of[nid],
                      "first": dates.get(nid, ("", ""))[0], "last": dates.get(nid, ("", ""))[1],
                      "hits": found, "hit_count": len(found)})
    # Ties on cases and regions: the entity with more hits elsewhere is the more urgent call.
    links.sort(key=lambda x: (-len(x["cases"]), -len(x["regions"]), -x["hit_count"],
                              KINDS.index(x["kind"]), x["label"], x["id"]))
    return {"links": links, "total": len(order), "truncated": len(order) > limit,
            "cases": sorted(case_info.values(), key=lambda c: c["case_id"]),
            "network": network, "min_cases": min_cases}


def _node(label: str, key: str | None, cases: list[str]) -> Node | None:
    """The entity of a report row (label, key and its visible cases), as the store would give
    it; None for anything that is not an entity the model knows."""
    kind = model.ENTITY_KINDS.get(label)
    if kind is None or key is None or kind.label == "Case" or not cases:
        return None
    return make_node([label], {kind.key: key, "case_ids": cases})


def _case_summaries(rows: list[dict]) -> list[dict]:
    out = []
    for row in rows:
        node = row["node"]
        if node is None:
            continue
        p = node.properties
        out.append({"case_id": node.key, "title": p.get("title", ""), "unit": p.get("unit", ""),
                    "classification": p.get("classification", "normal")})
    return out


def _hits(settings: Settings, actor: Actor, nodes: dict[int, Node], rows, *,
          client: str) -> dict[str, list[dict]]:
    """Hits per entity id from the rows of ``views/links_hidden``, by the classification rules;
    covert owners notified, all audited."""
    hidden = hits._hidden_cases(list(rows))  # the one shape check of hidden-case reads
    wanted = {n.id for n in nodes.values()}
    hidden = [h for h in hidden if h.entity_id in wanted]
    if not hidden:
        return {}
    by_entity: dict[str, list[hits.HiddenCase]] = defaultdict(list)
    for h in hidden:
        by_entity[h.entity_id].append(h)
    may = allowed(actor, "check-hit")
    shown = {eid: hits.disclose(hs) if may else [] for eid, hs in by_entity.items()}
    hits._notify_and_audit(  # the same notices and audit as an entity page
        settings, actor, hidden, [h for hs in shown.values() for h in hs], via="cross-case",
        client=client, detail={"entities": len(by_entity)})
    return {eid: s for eid, s in shown.items() if s}


def _case_network(case_info: dict[str, dict], nodes: dict[int, Node],
                  cases_of: dict[int, list[str]], max_edges: int) -> dict:
    """Cases as nodes, joined by an edge per pair that shares entities (with counts by kind):
    the ``max_edges`` pairs that share the most (ties in case order), with ``edges_total``
    and ``truncated`` saying how many there are in all.

    Pairs are counted with numpy, each pair of case positions as one integer: a reader of 711
    cases at 1M facts has 84,000 case pairs from 361,000 entity-pair mentions, which took
    160-340 ms counted in Python and takes 20 ms so."""
    ids = sorted({c for cases in cases_of.values() for c in cases})
    index = {case_id: i for i, case_id in enumerate(ids)}
    by_kind: dict[str, list[list[int]]] = defaultdict(list)
    for nid, cases in cases_of.items():
        by_kind[nodes[nid].kind].append(sorted(index[c] for c in cases))
    width = len(ids)
    mentions = {kind: _pair_codes(lists, width) for kind, lists in sorted(by_kind.items())}
    counted = {kind: np.unique(codes, return_counts=True) for kind, codes in mentions.items()}
    every = [codes for codes in mentions.values() if codes.size]
    pairs, shared = (np.unique(np.concatenate(every), return_counts=True) if every
                     else (np.zeros(0, np.int64), np.zeros(0, np.int64)))
    chosen = np.sort(pairs[np.lexsort((pairs, -shared))[:max_edges]])
    chosen_shared = shared[np.searchsorted(pairs, chosen)]
    by_pair: list[dict[str, int]] = [{} for _ in chosen]
    for kind, (codes, counts) in counted.items():
        if not codes.size:
            continue
        at = np.minimum(np.searchsorted(codes, chosen), codes.size - 1)
        for i in np.flatnonzero(codes[at] == chosen):
            by_pair[i][kind] = int(counts[at[i]])
    edges = []
    used: set[str] = set()
    for pair, n, kinds in zip(chosen.tolist(), chosen_shared.tolist(), by_pair, strict=True):
        a, b = ids[pair // width], ids[pair % width]
        used.update((a, b))
        edges.append({"id": f"{a}|{b}", "source": "case:" + a, "target": "case:" + b,
                      "type": "SHARES", "shared": n, "by_kind": kinds})
    return {
        "nodes": [{"id": "case:" + c, "kind": "case", "label": c,
                   "title": case_info.get(c, {}).get("title", ""),
                   "unit": case_info.get(c, {}).get("unit", ""), "cases": [c]}
                  for c in sorted(used)],
        "edges": edges,
        "edges_total": int(pairs.size),
        "truncated": int(pairs.size) > len(edges),
    }


def _pair_codes(case_lists: list[list[int]], width: int) -> np.ndarray:
    """Every pair ``(a, b)``, ``a < b``, of each sorted list of case positions, as ``a * width
    + b``: the lists of one length as one array, so the pairs come out of one indexing."""
    by_length: dict[int, list[list[int]]] = defaultdict(list)
    for cases in case_lists:
        if len(cases) >= 2:
            by_length[len(cases)].append(cases)
    parts = []
    for length, lists in by_length.items():
        rows = np.asarray(lists, dtype=np.int64)
        first, second = np.triu_indices(length, 1)
        parts.append((rows[:, first] * width + rows[:, second]).ravel())
    return np.concatenate(parts) if parts else np.zeros(0, np.int64)
