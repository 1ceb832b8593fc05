"""The network as a PNG, drawn without a browser (matplotlib's Agg backend, networkx layout).

Labels are drawn as plain text: matplotlib's math mode is off for each of them, so a name
holding ``$`` is shown as it is, not parsed.
"""

from __future__ import annotations

import io
from pathlib import Path

from graphapp.export.sources import Snapshot

#: The same colours as the app's network view (static/js/network.js).
COLOURS = {"case": "#6b7785", "person": "#c0392b", "phone": "#2471a3", "address": "#7d6608",
           "hotel": "#8e44ad", "advert": "#16a085"}
OTHER = "#95a5a6"
KIND_NAMES = {"case": "Case", "person": "Person", "phone": "Phone", "address": "Address",
              "hotel": "Hotel", "advert": "Advert"}


def short(text: str, most: int = 28) -> str:
    return text if len(text) <= most else text[: most - 1] + "…"


def render_png(snapshot: Snapshot, width_in: float = 11.0, height_in: float = 8.0, dpi: int = 150) -> bytes:
    """PNG bytes of the network: nodes coloured by kind, labelled, with a legend."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import networkx as nx
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    g = nx.Graph()
    for n in snapshot.nodes:
        g.add_node(n["id"])
    for e in snapshot.edges:
        g.add_edge(e["source"], e["target"])
    pos = nx.spring_layout(g, seed=7, k=None if len(g) < 3 else 1.6 / len(g) ** 0.5) if len(g) else {}
    fig = Figure(figsize=(width_in, height_in), dpi=dpi)
    ax = fig.add_axes((0.01, 0.01, 0.98, 0.98))
    ax.set_axis_off()
    drawn = set()
    for e in snapshot.edges:
        pair = (e["source"], e["target"])
        if pair in drawn or e["source"] not in pos or e["target"] not in pos:
            continue
        drawn.add(pair)
        (x1, y1), (x2, y2) = pos[e["source"]], pos[e["target"]]
        from_case = e["source"].startswith("case:")
        ax.plot([x1, x2], [y1, y2], color="#b8c3ce" if from_case else "#55606c",
                linestyle="--" if from_case else "-", linewidth=0.8, zorder=1)
    kinds = {n["kind"] for n in snapshot.nodes}
    for n in snapshot.nodes:
        x, y = pos[n["id"]]
        ax.scatter([x], [y], s=260 if n["id"] == snapshot.focus else 110,
                   c=COLOURS.get(n["kind"], OTHER), marker="s" if n["kind"] == "case" else "o",
                   edgecolors="white", linewidths=0.8, zorder=2)
        ax.text(x, y - 0.045, short(n["label"]), fontsize=6.5, ha="center", va="top",
                color="#1d2733", zorder=3, parse_math=False,
                bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    handles = [Line2D([0], [0], marker="s" if k == "case" else "o", linestyle="", markersize=7,
                      markerfacecolor=COLOURS.get(k, OTHER), markeredgecolor="white",
                      label=KIND_NAMES.get(k, k))
               for k in sorted(kinds)]
    if handles:
        ax.legend(handles=handles, loc="lower left", fontsize=7, frameon=True, framealpha=0.9)
    if pos:
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        pad_x = (max(xs) - min(xs)) * 0.08 + 0.1
        pad_y = (max(ys) - min(ys)) * 0.08 + 0.1
        ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
        ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi, metadata={"Software": None})
    return buffer.getvalue()


def write(snapshot: Snapshot, directory: Path) -> list[str]:
    (directory / "network.png").write_bytes(render_png(snapshot))
    return ["network.png"]
