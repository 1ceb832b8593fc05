"""Network measures on the visible subgraph of a view, with networkx.

The view comes from :func:`graphapp.services.graph.network`, so it holds only what the caller
may see; nothing here reads the store. (The explorer's own sizes and positions live in
:mod:`graphapp.services.layout`; this module answers the analyst's questions about a view.)

- **degree**: links within the view; **betweenness**: how often a node lies on the shortest
  paths between others (exact up to :data:`EXACT_BETWEENNESS_MAX` nodes, sampled with a fixed
  seed above); **eigenvector**: linked to nodes that are themselves well linked;
- **communities**: Louvain (``networkx.community.louvain_communities``, fixed seed, so the same
  view gives the same groups), numbered from the largest;
- **brokers**: articulation points (nodes whose removal splits the network) and bridges
  (links whose removal does);
- **components**: connected groups, numbered from the largest.

Case nodes are left out by default: every entity of a case hangs off its Case node, which
would make the case the centre of everything and join all its entities into one community.
Parallel facts between two entities count as one link.
"""

from __future__ import annotations

import networkx as nx

EXACT_BETWEENNESS_MAX = 500
BETWEENNESS_SAMPLES = 200
MAX_NODES = 5000
SEED = 7
MEASURES = ("degree", "betweenness", "eigenvector", "community", "component")


class BadAnalysis(ValueError):
    """The view is too large to analyse, or a measure is unknown."""


def to_graph(view: dict, include_cases: bool = False) -> nx.Graph:
    """The view as an undirected simple graph of entity ids."""
    g = nx.Graph()
    kinds = {n["id"]: n["kind"] for n in view["nodes"]}
    g.add_nodes_from(i for i, k in kinds.items() if include_cases or k != "case")
    g.add_edges_from((e["source"], e["target"]) for e in view["edges"]
                     if e["source"] in g and e["target"] in g and e["source"] != e["target"])
    return g


def analyse(view: dict, include_cases: bool = False) -> dict:
    """Measures per node and the brokers of ``view``.

    Returns ``{"nodes": [{"id", "kind", "label", "degree", "betweenness", "eigenvector",
    "community", "component", "articulation"}], "bridges": [[a, b]], "communities": n,
    "components": n, "sampled": bool}``, nodes by betweenness, highest first.

    :raise BadAnalysis: more than :data:`MAX_NODES` nodes.
    """
    g = to_graph(view, include_cases)
    if len(g) > MAX_NODES:
        raise BadAnalysis(f"analysis is offered for views of up to {MAX_NODES} nodes")
    sampled = len(g) > EXACT_BETWEENNESS_MAX
    betweenness = nx.betweenness_centrality(g, k=BETWEENNESS_SAMPLES if sampled else None,
                                            seed=SEED) if len(g) else {}
    eigen = _eigenvector(g)
    communities = _numbered(nx.community.louvain_communities(g, seed=SEED) if len(g) else [])
    components = _numbered(list(nx.connected_components(g)))
    articulation = set(nx.articulation_points(g))
    bridges = sorted(sorted(b) for b in nx.bridges(g))
    by_id = {n["id"]: n for n in view["nodes"]}
    nodes = [{"id": n, "kind": by_id[n]["kind"], "label": by_id[n]["label"],
              "cases": by_id[n].get("cases", []),
              "degree": g.degree(n), "betweenness": round(betweenness.get(n, 0.0), 6),
              "eigenvector": round(eigen.get(n, 0.0), 6), "community": communities[n],
              "component": components[n], "articulation": n in articulation} for n in g]
    nodes.sort(key=lambda x: (-x["betweenness"], -x["degree"], x["label"], x["id"]))
    return {"nodes": nodes, "bridges": bridges, "communities": len(set(communities.values())),
            "components": len(set(components.values())), "sampled": sampled,
            "include_cases": include_cases}


def _eigenvector(g: nx.Graph) -> dict[str, float]:
    """Eigenvector centrality per component, scaled by the component's share of the nodes
    (power iteration does not converge on a graph of several components)."""
    out: dict[str, float] = {}
    for comp in nx.connected_components(g):
        if len(comp) < 2:
            out.update(dict.fromkeys(comp, 0.0))
            continue
        sub = g.subgraph(comp)
        try:
            values = nx.eigenvector_centrality(sub, max_iter=1000, tol=1e-6)
        except nx.PowerIterationFailedConvergence:
            values = dict.fromkeys(comp, 0.0)
        share = len(comp) / len(g)
        out.update({n: v * share for n, v in values.items()})
    return out


def _numbered(groups: list) -> dict[str, int]:
    """Group number per node: 1 for the largest group, ties by their smallest member."""
    ordered = sorted((sorted(grp) for grp in groups), key=lambda grp: (-len(grp), grp[0]))
    return {n: i for i, grp in enumerate(ordered, start=1) for n in grp}


def annotate(view: dict, result: dict) -> dict:
    """Copy the measures onto the view's nodes (``value`` = betweenness, ``group`` =
    community) for drawing; case nodes left out of the analysis get neither."""
    by_id = {n["id"]: n for n in result["nodes"]}
    for node in view["nodes"]:
        m = by_id.get(node["id"])
        if m is not None:
            node.update({k: m[k] for k in ("degree", "betweenness", "eigenvector", "community",
                                           "component", "articulation")})
    return view
