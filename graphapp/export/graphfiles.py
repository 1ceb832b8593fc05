"""GraphML and GEXF through networkx's writers, for Gephi, networkx and igraph.

Every attribute is written as text (lists joined with ``"; "``, dates as their ISO text), so
that each key has one type in every tool. The fact's type is the edge attribute ``relation``
(GEXF reserves ``type`` for an edge's direction); the node's label is ``label`` (GEXF's own).
"""

from __future__ import annotations

from pathlib import Path

import networkx as nx

from graphapp.export.sources import Snapshot


def to_networkx(snapshot: Snapshot) -> nx.MultiDiGraph:
    """The snapshot as a directed multigraph (two cases may state the same link)."""
    g = nx.MultiDiGraph(name=snapshot.title)
    for n in snapshot.nodes:
        g.add_node(n["id"], kind=n["kind"], label=n["label"], cases="; ".join(n["cases"]))
    for e in snapshot.edges:
        attrs = {k: str(v) for k, v in e["properties"].items()}
        attrs.update(relation=e["type"], case_id=e["case_id"] or "", source_ref=e["source_ref"] or "",
                     fact_id=e["id"])
        g.add_edge(e["source"], e["target"], key=e["id"], **attrs)
    return g


def _attrs_everywhere(g: nx.MultiDiGraph) -> None:
    """Give every edge every edge key (empty text where a fact has none): some readers want a
    value for each declared key."""
    keys = sorted({k for _, _, d in g.edges(data=True) for k in d})
    for _, _, d in g.edges(data=True):
        for k in keys:
            d.setdefault(k, "")


def write_graphml(snapshot: Snapshot, directory: Path) -> list[str]:
    g = to_networkx(snapshot)
    _attrs_everywhere(g)
    nx.write_graphml(g, directory / "network.graphml", encoding="utf-8", prettyprint=True,
                     named_key_ids=True)
    return ["network.graphml"]


def write_gexf(snapshot: Snapshot, directory: Path) -> list[str]:
    g = to_networkx(snapshot)
    _attrs_everywhere(g)
    nx.write_gexf(g, directory / "network.gexf", encoding="utf-8", prettyprint=True)
    return ["network.gexf"]
