"""The standalone HTML network: one file, vis-network and the app's drawing script inlined,
every piece of data escaped, nothing loaded from anywhere (it opens from a USB stick).

Rendered with Jinja outside any request (the command line writes packages too), with
autoescaping on; the data for the drawing travels as JSON in a ``<script type=
"application/json">`` element, which ``tojson`` makes safe inside HTML.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pyvis
from jinja2 import Environment, FileSystemLoader, select_autoescape

from graphapp.export.sources import DATE_FIELDS, DATE_LABELS, Snapshot

PACKAGE = Path(__file__).resolve().parents[1]
#: vis-network as the pyvis package ships it (never a CDN).
VIS_DIR = Path(pyvis.__file__).parent / "templates" / "lib" / "vis-9.1.2"
STATIC_DIR = PACKAGE / "static"


@cache
def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(PACKAGE / "templates"),
                       autoescape=select_autoescape(default=True, default_for_string=True))


def render_html(snapshot: Snapshot, info) -> str:
    """The HTML text; ``info`` is the package's :class:`graphapp.export.PackageInfo`."""
    labels = {n["id"]: n["label"] for n in snapshot.nodes}
    kinds = sorted({n["kind"] for n in snapshot.nodes})
    return _environment().get_template("export_network.html").render(
        snapshot=snapshot, info=info, labels=labels, network=snapshot.network_json(),
        timeline=snapshot.timeline(), date_fields=DATE_FIELDS, date_labels=DATE_LABELS,
        legend=kinds,  # drawn with the app's own swatches (network.css): each kind's shape
        vis_js=(VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8"),
        vis_css=(VIS_DIR / "vis-network.css").read_text(encoding="utf-8"),
        app_js=(STATIC_DIR / "js" / "network.js").read_text(encoding="utf-8"),
        app_css=(STATIC_DIR / "css" / "network.css").read_text(encoding="utf-8"),
    )


def write(snapshot: Snapshot, info, directory: Path) -> list[str]:
    (directory / "network.html").write_text(render_html(snapshot, info), encoding="utf-8")
    return ["network.html"]
