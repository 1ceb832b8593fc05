"""nodes.csv and edges.csv, safe to open in a spreadsheet (DESIGN.md section 5, "Output").

A cell that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is a formula to
a spreadsheet; it gets a leading ``'``, except a plain E.164 number (``+`` and digits only),
which cannot run and must stay readable. Written as UTF-8 with a byte-order mark, which is
how spreadsheet programs recognise UTF-8 (Swedish and other names stay whole).
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from graphapp.export.sources import DATE_FIELDS, Snapshot

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
E164 = re.compile(r"\+[0-9]{1,15}")

NODE_COLUMNS = ["id", "kind", "label", "cases"]
EDGE_COLUMNS = ["id", "source", "target", "type", "case_id", "source_ref", *DATE_FIELDS, "details"]


def neutralise(value: object) -> str:
    """The cell as text a spreadsheet shows and never evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not E164.fullmatch(text):
        return "'" + text
    return text


def write(snapshot: Snapshot, directory: Path) -> list[str]:
    """Write nodes.csv and edges.csv into ``directory``; return their names."""
    with (directory / "nodes.csv").open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(NODE_COLUMNS)
        for n in snapshot.nodes:
            writer.writerow([neutralise(v) for v in (n["id"], n["kind"], n["label"], "; ".join(n["cases"]))])
    with (directory / "edges.csv").open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(EDGE_COLUMNS)
        for e in snapshot.edges:
            props = e["properties"]
            details = "; ".join(f"{k}: {v}" for k, v in props.items() if k not in DATE_FIELDS)
            row = [e["id"], e["source"], e["target"], e["type"], e["case_id"], e["source_ref"],
                   *(props.get(name, "") for name in DATE_FIELDS), details]
            writer.writerow([neutralise(v) for v in row])
    return ["nodes.csv", "edges.csv"]
