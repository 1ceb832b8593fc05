"""nodes.csv and edges.csv (report.csv for a ranked report, result.csv for a saved query's
result), safe to open in a spreadsheet
(DESIGN.md section 5, "Output").

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
REPORT_COLUMNS = ["rank", "id", "kind", "label", "cases", "regions", "first", "last"]


def neutralise(value: object) -> str:
    """The cell as text a spreadsheet shows and never evaluates."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_START) and not E164.fullmatch(text):
        return "'" + text
    return text


def write(snapshot: Snapshot, directory: Path) -> list[str]:
    """Write nodes.csv, edges.csv and, for a ranked report, report.csv, for a saved query's
    result result.csv, into ``directory``; return their names."""
    _write_rows(directory / "nodes.csv", NODE_COLUMNS,
                ([n["id"], n["kind"], n["label"], "; ".join(n["cases"])] for n in snapshot.nodes))
    _write_rows(directory / "edges.csv", EDGE_COLUMNS, (_edge_row(e) for e in snapshot.edges))
    written = ["nodes.csv", "edges.csv"]
    if snapshot.report:
        _write_rows(directory / "report.csv", REPORT_COLUMNS,
                    ([r["rank"], r["id"], r["kind"], r["label"], "; ".join(r["cases"]),
                      "; ".join(r["regions"]), r["first"], r["last"]] for r in snapshot.report))
        written.append("report.csv")
    if snapshot.table:
        _write_rows(directory / "result.csv", snapshot.table["columns"], snapshot.table["rows"])
        written.append("result.csv")
    return written


def _edge_row(e: dict) -> list:
    props = e["properties"]
    details = "; ".join(f"{k}: {v}" for k, v in props.items() if k not in DATE_FIELDS)
    return [e["id"], e["source"], e["target"], e["type"], e["case_id"], e["source_ref"],
            *(props.get(name, "") for name in DATE_FIELDS), details]


def _write_rows(path: Path, header: list[str], rows) -> None:
    with path.open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow([neutralise(v) for v in row])
