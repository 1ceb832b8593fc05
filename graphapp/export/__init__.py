"""Evidence packages for prosecutors (DESIGN.md section 5, "Exports"; issue 11).

A package is a directory: the formats asked for, written from one :class:`Snapshot` of the
exporter's view, and a manifest of their SHA-256 digests signed with the installation's
Ed25519 key. One writer per format; :func:`write_package` runs them and signs the result.

| format | files | writer |
|---|---|---|
| html | network.html | :mod:`graphapp.export.html` (vis-network inlined, opens offline) |
| pdf | report.pdf | :mod:`graphapp.export.pdf` (cover, network and legend, tables, timeline) |
| graphml | network.graphml | :mod:`graphapp.export.graphfiles` (networkx) |
| gexf | network.gexf | :mod:`graphapp.export.graphfiles` (networkx) |
| csv | nodes.csv, edges.csv (+ report.csv) | :mod:`graphapp.export.tables` (formulas neutralised) |
| png | network.png | :mod:`graphapp.export.image` (matplotlib, no browser) |
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from graphapp.export.sources import BadSpec, Snapshot, collect, entity_network_spec

__all__ = ["FORMATS", "BadSpec", "PackageInfo", "Snapshot", "collect", "entity_network_spec",
           "parse_formats", "write_package"]


@dataclass(frozen=True)
class PackageInfo:
    """Who made a package, and when: on its cover, in its footer and in its manifest."""

    package_id: str
    exporter: str
    exporter_role: str
    #: UTC, ISO 8601 to the second (``2026-11-24T10:15:00Z``).
    created_at: str


def _html(snapshot, info, directory):
    from graphapp.export import html

    return html.write(snapshot, info, directory)


def _pdf(snapshot, info, directory):
    from graphapp.export import pdf

    return pdf.write(snapshot, info, directory)


def _graphml(snapshot, info, directory):
    from graphapp.export import graphfiles

    return graphfiles.write_graphml(snapshot, directory)


def _gexf(snapshot, info, directory):
    from graphapp.export import graphfiles

    return graphfiles.write_gexf(snapshot, directory)


def _csv(snapshot, info, directory):
    from graphapp.export import tables

    return tables.write(snapshot, directory)


def _png(snapshot, info, directory):
    from graphapp.export import image

    return image.write(snapshot, directory)


#: Format name -> writer(snapshot, info, directory) -> names of the files written.
FORMATS: dict[str, Callable[[Snapshot, PackageInfo, Path], list[str]]] = {
    "html": _html, "pdf": _pdf, "graphml": _graphml, "gexf": _gexf, "csv": _csv, "png": _png,
}


def parse_formats(value) -> list[str]:
    """``"html,pdf"`` or ``["html", "pdf"]`` (empty: every format) as a checked list, in the
    order of :data:`FORMATS`.

    :raise BadSpec: an unknown format.
    """
    if value is None or value == "" or value == []:
        return list(FORMATS)
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple) or not all(isinstance(i, str) for i in items):
        raise BadSpec("formats must be a list of format names")
    wanted = {i.strip().lower() for i in items if i.strip()}
    unknown = sorted(wanted - set(FORMATS))
    if unknown:
        raise BadSpec(f"unknown format(s): {', '.join(unknown)}; known: {', '.join(FORMATS)}")
    return [f for f in FORMATS if f in wanted] or list(FORMATS)


def write_package(snapshot: Snapshot, info: PackageInfo, directory: Path, formats: list[str],
                  key) -> dict:
    """Write the formats into ``directory`` (which exists and is empty), then the signed
    manifest; return the manifest with its digest as ``sha256``."""
    from graphapp.export import manifest

    files: list[str] = []
    for name in formats:
        files += FORMATS[name](snapshot, info, directory)
    return manifest.build(
        directory, files, package_id=info.package_id, created_at=info.created_at,
        exporter={"name": info.exporter, "role": info.exporter_role},
        view={**snapshot.spec, "title": snapshot.title, "formats": formats},
        cases=snapshot.case_ids,
        counts={"nodes": len(snapshot.nodes), "edges": len(snapshot.edges),
                "dated_statements": len(snapshot.timeline()), "truncated": snapshot.truncated},
        key=key)
