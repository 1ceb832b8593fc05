"""Positions and measures for a drawn network, computed on the server with networkx.

vis-network's physics simulation is fine for a few hundred nodes, but every step compares
every node with every other: a view of thousands of nodes never settles in the browser.
networkx's force layouts (``spring_layout``, ``kamada_kawai_layout``) need numpy and scipy and
are quadratic per iteration too (tens of seconds for 10,000 nodes). An investigator's view is
a neighbourhood of one entity, so the layout here is radial: the entity in the centre, each hop
on a ring, each node's neighbours in the angular sector of its parent, sectors sized by the
number of leaves below them (the "radial" layout of i2 Analyst's Notebook and Linkurious). It
is linear in the size of the view, deterministic, and leaves no physics to run: the browser
draws the positions as they come, once.

Measures size the nodes: ``degree`` (visible neighbours in the whole graph, from the store),
``links`` (links within the view), ``cases`` (visible cases) and ``betweenness`` (networkx,
sampled above :data:`EXACT_BETWEENNESS_MAX` nodes, refused above :data:`BETWEENNESS_MAX`).
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

import networkx as nx

#: Views up to this size are laid out in the browser (vis-network's physics, stabilised before
#: it is shown); larger ones get the radial layout here.
BROWSER_LAYOUT_MAX = 300
#: Distance between neighbours on a ring, and between rings, in vis-network's units.
NODE_SPACING = 42.0
RING_GAP = 160.0
MEASURES = ("degree", "links", "cases", "betweenness")
EXACT_BETWEENNESS_MAX = 500
BETWEENNESS_MAX = 5000
BETWEENNESS_SAMPLES = 150


class BadLayout(ValueError):
    """An unknown layout or measure, or a measure too costly for the view's size."""


def to_graph(view: dict) -> nx.Graph:
    """The view as an undirected networkx graph of entity ids (parallel facts are one link)."""
    g = nx.Graph()
    g.add_nodes_from(n["id"] for n in view["nodes"])
    g.add_edges_from((e["source"], e["target"]) for e in view["edges"])
    return g


def radial(view: dict, centre: str) -> dict[str, tuple[float, float]]:
    """Positions for every node of ``view``: ``centre`` at (0, 0), hop ``d`` on ring ``d``."""
    g = to_graph(view)
    if centre not in g:
        return {}
    # Breadth-first tree from the centre, children in a stable order (kind, label, id).
    order = {n["id"]: (n["kind"], n["label"], n["id"]) for n in view["nodes"]}
    children: dict[str, list[str]] = defaultdict(list)
    depth = {centre: 0}
    frontier = [centre]
    while frontier:
        nxt = []
        for node in frontier:
            for other in sorted(g.neighbors(node), key=order.__getitem__):
                if other not in depth:
                    depth[other] = depth[node] + 1
                    children[node].append(other)
                    nxt.append(other)
        frontier = nxt
    # Nodes the tree does not reach (none in a network view) hang off the centre.
    for node in sorted(set(g) - set(depth), key=order.__getitem__):
        depth[node] = 1
        children[centre].append(node)
    leaves: dict[str, int] = {}
    for node in sorted(depth, key=depth.__getitem__, reverse=True):
        leaves[node] = sum(leaves[c] for c in children[node]) or 1
    # Each ring is wide enough for its nodes at NODE_SPACING, and RING_GAP past the last one.
    per_ring: dict[int, int] = defaultdict(int)
    for d in depth.values():
        per_ring[d] += 1
    radius = {0: 0.0}
    for d in range(1, max(per_ring) + 1):
        radius[d] = max(radius[d - 1] + RING_GAP, per_ring[d] * NODE_SPACING / (2 * math.pi))
    pos = {centre: (0.0, 0.0)}
    stack = [(centre, 0.0, 2 * math.pi)]
    while stack:
        node, start, span = stack.pop()
        total = leaves[node]
        at = start
        for child in children[node]:
            width = span * leaves[child] / total
            angle = at + width / 2
            r = radius[depth[child]]
            pos[child] = (round(r * math.cos(angle), 1), round(r * math.sin(angle), 1))
            stack.append((child, at, width))
            at += width
    return pos


def measure(view: dict, name: str) -> dict[str, float]:
    """A value per node that sizes it: see the module's docstring for the measures."""
    if name not in MEASURES:
        raise BadLayout(f"measure must be one of {', '.join(MEASURES)}")
    nodes = view["nodes"]
    if name == "degree":
        return {n["id"]: float(n.get("degree", 0)) for n in nodes}
    if name == "cases":
        return {n["id"]: float(len(n["cases"])) for n in nodes}
    g = to_graph(view)
    if name == "links":
        return {n: float(d) for n, d in g.degree()}
    if len(g) > BETWEENNESS_MAX:
        raise BadLayout(f"betweenness is offered for views of up to {BETWEENNESS_MAX} nodes")
    k = None if len(g) <= EXACT_BETWEENNESS_MAX else BETWEENNESS_SAMPLES
    return {n: round(v, 6) for n, v in nx.betweenness_centrality(g, k=k, seed=7).items()}


def lay_out(view: dict, centre: str, layout: str = "auto", measure_name: str = "") -> dict:
    """Add ``x``/``y`` to the view's nodes (``radial``, or ``auto`` above
    :data:`BROWSER_LAYOUT_MAX` nodes) and ``value`` (``measure_name``); record what was done,
    and how long it took, under ``layout``."""
    if layout not in ("auto", "radial", "browser"):
        raise BadLayout("layout must be auto, radial or browser")
    began = time.perf_counter()
    algorithm = "browser"
    if layout == "radial" or (layout == "auto" and len(view["nodes"]) > BROWSER_LAYOUT_MAX):
        algorithm = "radial"
        pos = radial(view, centre)
        for node in view["nodes"]:
            node["x"], node["y"] = pos.get(node["id"], (0.0, 0.0))
    if measure_name:
        values = measure(view, measure_name)
        for node in view["nodes"]:
            node["value"] = values.get(node["id"], 0.0)
    view["layout"] = {"algorithm": algorithm, "measure": measure_name,
                      "ms": round((time.perf_counter() - began) * 1000, 1)}
    return view
