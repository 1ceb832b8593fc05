"""The PDF report: a cover page, the network with its legend, entities, links, timeline.

Built with reportlab's platypus. Every piece of data goes through :func:`para`, which escapes
it: reportlab's paragraphs read a small markup language, and a name like
``<img src=x onerror=…>`` must stay text. Text is set in DejaVu Sans (the copy matplotlib
ships), which covers the Latin, Cyrillic and Greek names that reach the graph; the PDF's
standard fonts cover Latin-1 only.
"""

from __future__ import annotations

import io
import json
from html import escape
from pathlib import Path

from graphapp.export.image import COLOURS, KIND_NAMES, OTHER, render_png
from graphapp.export.sources import DATE_FIELDS, DATE_LABELS, Snapshot

FONT, BOLD = "CaseGraphSans", "CaseGraphSans-Bold"
#: The headings that start the report's sections, each on a new page (the tests look for them).
SECTIONS = ("Evidence package", "Network and legend", "Entities", "Links and their sources", "Timeline")
#: The section a ranked report (the cross-case report) adds after the cover page.
REPORT_SECTION = "Cross-case links"
#: The section a saved query's result table adds after the cover page.
RESULT_SECTION = "Query result"


def _fonts() -> None:
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    ttf = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(ttf / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(ttf / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def render_pdf(snapshot: Snapshot, info) -> bytes:
    """The report as PDF bytes; ``info`` is the package's :class:`graphapp.export.PackageInfo`."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        Image,
        PageBreak,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    _fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=11.5)
    small = ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5)
    cell = ParagraphStyle("cell", parent=body, fontSize=7.5, leading=9)
    head = ParagraphStyle("head", parent=cell, fontName=BOLD)
    h1 = ParagraphStyle("h1", parent=body, fontName=BOLD, fontSize=20, leading=24, spaceAfter=8)
    h2 = ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=14, leading=18, spaceAfter=6)

    def para(text, style=body) -> Paragraph:
        return Paragraph(escape("" if text is None else str(text), quote=False).replace("\n", "<br/>"), style)

    def table(header: list[str] | None, rows: list[list], widths: list[float]) -> Table:
        data = ([[para(h, head) for h in header]] if header else []) + [
            [para(v, cell) for v in row] for row in rows]
        t = Table(data, colWidths=widths, repeatRows=1 if header else 0, hAlign="LEFT")
        t.setStyle(TableStyle([
            ("GRID", (0, 0), (-1, -1), 0.3, colors.HexColor("#c9d2dc")),
            ("BACKGROUND", (0, 0), (-1, 0 if header else -1),
             colors.HexColor("#e8edf2" if header else "#ffffff")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 3), ("RIGHTPADDING", (0, 0), (-1, -1), 3),
        ]))
        return t

    page = landscape(A4)
    usable = page[0] - 30 * mm
    labels = {n["id"]: n["label"] for n in snapshot.nodes}
    story: list = []

    # 1. Cover page
    story += [para(SECTIONS[0], h1), para(snapshot.title, h2)]
    story.append(table(None, [
        ["Package", info.package_id],
        ["Exported by", f"{info.exporter} ({info.exporter_role})"],
        ["Exported at", info.created_at],
        ["View", f"{snapshot.spec['kind']} {json.dumps(snapshot.spec['params'], ensure_ascii=False)}"],
        ["Contents", f"{len(snapshot.nodes)} entities, {len(snapshot.edges)} links, "
                     f"{len(snapshot.timeline())} dated statements"
                     + (" (truncated: the view had more than was exported)" if snapshot.truncated else "")],
    ], [40 * mm, usable - 40 * mm]))
    story += [Spacer(1, 6 * mm), para("Cases", h2)]
    story.append(table(["Case", "Title", "Unit", "Classification", "Opened"],
                       [[c["case_id"], c["title"], c["unit"], c["classification"], c["opened"]]
                        for c in snapshot.cases],
                       [35 * mm, 80 * mm, 80 * mm, 30 * mm, usable - 225 * mm]))
    story += [Spacer(1, 6 * mm), para(
        "A snapshot of what the exporter could see in these cases at the time of export; later "
        "changes to the live graph are not in it. Every link cites the record it comes from. "
        "The package's manifest.json lists each file with its SHA-256 digest and is signed with "
        "the installation's Ed25519 key (manifest.sig): check it with `casegraph export verify "
        "DIR` and the installation's public key.", small)]

    # 1b. The ranked report the view is about
    if snapshot.report:
        story += [PageBreak(), para(REPORT_SECTION, h2), para(
            "Entities that several of the exporter's cases hold facts about, most cases first "
            "(then most regions). Regions are the units of the cases.", small), Spacer(1, 2 * mm)]
        story.append(table(["Rank", "Kind", "Entity", "Cases", "Regions", "First", "Last"],
                           [[r["rank"], r["kind"], r["label"], ", ".join(r["cases"]),
                             "; ".join(r["regions"]), r["first"], r["last"]] for r in snapshot.report],
                           [12 * mm, 18 * mm, 60 * mm, 70 * mm, 60 * mm, 22 * mm, usable - 242 * mm]))

    # 1c. A saved query's result as its runner read it
    if snapshot.table and snapshot.table["columns"]:
        columns = snapshot.table["columns"]
        story += [PageBreak(), para(RESULT_SECTION, h2), para(
            f"{len(snapshot.table['rows'])} row(s), as the query returned them"
            + (" (the row cap cut the result)" if snapshot.truncated else "") + ".", small),
            Spacer(1, 2 * mm)]
        story.append(table(columns, snapshot.table["rows"], [usable / len(columns)] * len(columns)))

    # 2. Network and legend
    png = render_png(snapshot, width_in=10.5, height_in=5.0, dpi=160)
    height = 118 * mm
    picture = Image(io.BytesIO(png), width=height * 10.5 / 5.0, height=height)
    picture.hAlign = "LEFT"
    story += [PageBreak(), para(SECTIONS[1], h2), picture]
    kinds = sorted({n["kind"] for n in snapshot.nodes})
    white = ParagraphStyle("legend", parent=head, textColor=colors.white)
    legend = Table([[para(f"{KIND_NAMES.get(k, k)} ({'square' if k == 'case' else 'dot'})", white)
                     for k in kinds]], colWidths=[38 * mm] * len(kinds), hAlign="LEFT") if kinds \
        else Spacer(1, 1)
    if kinds:
        legend.setStyle(TableStyle([("BACKGROUND", (i, 0), (i, 0), colors.HexColor(COLOURS.get(k, OTHER)))
                                    for i, k in enumerate(kinds)]))
    story += [Spacer(1, 2 * mm), para("Legend", head), legend, Spacer(1, 1 * mm), para(
        "Colours as in the list above. A dashed line joins a case to an entity it mentions or a "
        "person it involves; a solid line is a fact between two entities (uses, stayed at, "
        "called...). The tables that follow list each link with its case and source record.", small)]

    # 3. Entities
    story += [PageBreak(), para(SECTIONS[2], h2)]
    story.append(table(["#", "Kind", "Label", "Id", "Cases"],
                       [[i, n["kind"], n["label"], n["id"], ", ".join(n["cases"])]
                        for i, n in enumerate(snapshot.nodes, 1)],
                       [10 * mm, 20 * mm, 70 * mm, 95 * mm, usable - 195 * mm]))

    # 4. Links
    story += [PageBreak(), para(SECTIONS[3], h2)]
    rows = []
    for e in snapshot.edges:
        props = e["properties"]
        dates = "\n".join(f"{DATE_LABELS[k]}: {props[k]}" for k in DATE_FIELDS if props.get(k))
        details = "\n".join(f"{k}: {v}" for k, v in props.items() if k not in DATE_FIELDS)
        rows.append([labels.get(e["source"], e["source"]), e["type"], labels.get(e["target"], e["target"]),
                     e["case_id"], e["source_ref"], dates, details])
    story.append(table(["From", "Fact", "To", "Case", "Source record", "Dates", "Details"], rows,
                       [45 * mm, 25 * mm, 45 * mm, 27 * mm, 30 * mm, 40 * mm, usable - 212 * mm]))

    # 5. Timeline
    story += [PageBreak(), para(SECTIONS[4], h2)]
    timeline = snapshot.timeline()
    if timeline:
        story.append(table(["Date", "What", "Fact", "From", "To", "Case", "Source record"],
                           [[t["date"], t["what"], t["type"], t["source"], t["target"], t["case_id"],
                             t["source_ref"]] for t in timeline],
                           [30 * mm, 25 * mm, 25 * mm, 55 * mm, 55 * mm, 27 * mm, usable - 217 * mm]))
    else:
        story.append(para("No fact in this package carries a date."))

    def footer(canvas, doc) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.drawString(15 * mm, 8 * mm, f"CaseGraph evidence package {info.package_id} · "
                                           f"exported {info.created_at} by {info.exporter}")
        canvas.drawRightString(page[0] - 15 * mm, 8 * mm, f"page {doc.page}")
        canvas.drawString(15 * mm, page[1] - 9 * mm, "RESTRICTED: case data under compartment rules")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=page, leftMargin=15 * mm, rightMargin=15 * mm,
                            topMargin=14 * mm, bottomMargin=14 * mm, title=f"CaseGraph: {snapshot.title}",
                            author=info.exporter, subject=f"Evidence package {info.package_id}",
                            creator="CaseGraph")
    doc.build(story, onFirstPage=footer, onLaterPages=footer)
    return out.getvalue()


def write(snapshot: Snapshot, info, directory: Path) -> list[str]:
    (directory / "report.pdf").write_bytes(render_pdf(snapshot, info))
    return ["report.pdf"]
