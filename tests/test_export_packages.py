"""Evidence packages (issue 11): what goes in, that each format reads back, that the signed
manifest finds any change, and that a prosecutor reaches only what is shared with them.

Built on the four cases of tests/fourcases.py: ines (A owner, B read) exports the shared phone's
network; the phone is also in R (restricted) and C (covert), which must leave no trace.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select

from graphapp import accounts
from graphapp.access import Actor
from graphapp.db import AuditRecord, Notification, session_scope
from graphapp.export import BadSpec, Snapshot, manifest
from graphapp.export.tables import neutralise
from graphapp.services import exports
from tests import fourcases
from tests.conftest import bearer, make_user
from tests.fourcases import HIDDEN_SPELLING, HOSTILE, PHONE, PHONE_ID, UNITS, A, B, C, R
from tests.test_web import login, page_token

four_cases = fourcases.four_cases  # the fixture
ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]
ALL_FILES = {"network.html", "report.pdf", "network.graphml", "network.gexf", "nodes.csv", "edges.csv",
             "network.png", "manifest.json", "manifest.sig"}
#: What R (restricted) and C (covert) hold that A and B do not, and hits would tell.
HIDDEN_TEXT = [R, C, HIDDEN_SPELLING, "Ewa Covert", "48600100200", "48 600 100 200", "R-1", "R-2",
               "C-4", "C-5", "C-7", "JIT-9", *UNITS[R], *UNITS[C]]


def actor(settings, name: str) -> Actor:
    return Actor.from_user(settings, accounts.get_user(settings, name))


def make_package(four_cases, name: str = "ines", entities=(PHONE_ID, f"case:{A}"), hops: int = 2,
                 formats=None) -> dict:
    """The shared phone's network and case A's (which reaches a hotel stay), as ``name`` sees them."""
    return exports.create(four_cases.store, four_cases.settings, actor(four_cases.settings, name),
                          {"kind": "entity-network", "params": {"entity_ids": list(entities), "hops": hops}},
                          formats)


def package_path(four_cases, package: dict) -> Path:
    return exports.package_dir(four_cases.settings, package["id"])


def texts(directory: Path) -> dict[str, str]:
    """Every file's text as a reader would see it (the PDF's extracted text)."""
    from pypdf import PdfReader

    out = {}
    for path in directory.iterdir():
        if path.suffix == ".pdf":
            out[path.name] = "\n".join(p.extract_text() for p in PdfReader(path).pages)
        elif path.suffix != ".png":
            out[path.name] = path.read_text(encoding="utf-8-sig")
    return out


@pytest.fixture
def package(four_cases):
    return make_package(four_cases)


# -- what goes in --------------------------------------------------------------------------


def test_a_package_holds_every_format_a_signed_manifest_and_is_audited(four_cases, package):
    directory = package_path(four_cases, package)
    assert {p.name for p in directory.iterdir()} == ALL_FILES, sorted(p.name for p in directory.iterdir())
    assert {f["name"] for f in package["files"]} == ALL_FILES, package["files"]
    assert directory.stat().st_mode & 0o077 == 0, oct(directory.stat().st_mode)
    assert all(p.stat().st_mode & 0o077 == 0 for p in directory.iterdir())
    m = json.loads((directory / "manifest.json").read_text(encoding="utf-8"))
    assert m["exporter"] == {"name": "ines", "role": "investigator"}, m["exporter"]
    assert m["view"]["kind"] == "entity-network", m["view"]
    assert m["view"]["params"]["entity_ids"] == [PHONE_ID, f"case:{A}"], m["view"]
    assert m["view"]["params"]["hops"] == 2, m["view"]
    assert m["cases"] == [A, B], m["cases"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", m["created_at"]), m["created_at"]
    listed = {f["name"]: f["sha256"] for f in m["files"]}
    assert set(listed) == ALL_FILES - {"manifest.json", "manifest.sig"}, listed
    for name, digest in listed.items():
        assert manifest.sha256_file(directory / name) == digest, name
    with session_scope(four_cases.settings) as s:
        records = list(s.scalars(select(AuditRecord).where(AuditRecord.action == "export")))
    assert len(records) == 1, records
    assert records[0].detail["manifest_sha256"] == manifest.sha256_file(directory / "manifest.json")
    assert records[0].detail["package"] == package["id"], records[0].detail
    assert (records[0].actor, records[0].cases) == ("ines", [A, B]), (records[0].actor, records[0].cases)


def test_a_package_shows_nothing_of_hidden_cases_and_no_hits(four_cases, package):
    for name, text in texts(package_path(four_cases, package)).items():
        leaked = [t for t in HIDDEN_TEXT if t in text]
        assert leaked == [], (name, leaked)
    with session_scope(four_cases.settings) as s:
        notified = s.scalar(select(func.count()).select_from(Notification))
    assert notified == 0, "an export told the covert case's owners: it looked at hits"


def test_a_user_of_case_a_exports_nothing_of_case_b(four_cases):
    package = make_package(four_cases, "olle")
    assert package["cases"] == [A], package["cases"]
    for name, text in texts(package_path(four_cases, package)).items():
        leaked = [t for t in [B, "B-1", "B-2", f"{B}-H", *UNITS[B], *HIDDEN_TEXT] if t in text]
        assert leaked == [], (name, leaked)


def test_every_link_cites_its_case_and_source_in_csv_and_formulas_are_neutralised(four_cases, package):
    directory = package_path(four_cases, package)
    with (directory / "edges.csv").open(encoding="utf-8-sig", newline="") as fh:
        edges = list(csv.DictReader(fh))
    with (directory / "nodes.csv").open(encoding="utf-8-sig", newline="") as fh:
        nodes = list(csv.DictReader(fh))
    assert edges and all(e["case_id"] in (A, B) and e["source_ref"] for e in edges), edges
    phone = [n for n in nodes if n["id"] == PHONE_ID]
    assert phone and phone[0]["label"] == PHONE, phone  # +46… stays readable
    hostile = [n for n in nodes if n["label"] == HOSTILE]
    assert hostile, [n["label"] for n in nodes]
    stays = [e for e in edges if e["type"] == "STAYED_AT"]
    assert stays and stays[0]["check_in"] == "2030-01-01", stays


@pytest.mark.parametrize(("cell", "shown"), [
    ("=HYPERLINK(\"http://x\",\"y\")", "'=HYPERLINK(\"http://x\",\"y\")"),
    ("+46709990011", "+46709990011"),
    ("+46 70 999", "'+46 70 999"),
    ("+1+1", "'+1+1"),
    ("-2+3", "'-2+3"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tcmd", "'\tcmd"),
    ("\rcmd", "'\rcmd"),
    ("Sara Lind", "Sara Lind"),
    ("2030-01-01", "2030-01-01"),
])
def test_csv_cells_that_a_spreadsheet_would_run_get_a_quote(cell, shown):
    assert neutralise(cell) == shown


def _snapshot(label: str) -> Snapshot:
    return Snapshot(spec={"kind": "entity-network", "params": {}}, title="t", focus="person:1",
                    nodes=[{"id": "person:1", "kind": "person", "label": label, "cases": ["K-1"]},
                           {"id": "phone:+46701234567", "kind": "phone", "label": "+46701234567",
                            "cases": ["K-1"]}],
                    edges=[{"id": "e1", "source": "person:1", "target": "phone:+46701234567",
                            "type": "USES", "case_id": "K-1", "source_ref": "=cmd|' /C calc'!A0",
                            "properties": {"first_seen": "2030-01-01", "person_ref": "@P1"}}],
                    cases=[{"case_id": "K-1", "title": "-t", "unit": "u", "classification": "normal",
                            "opened": ""}])


def test_csv_files_neutralise_every_column(tmp_path):
    from graphapp.export import tables

    tables.write(_snapshot("=1+2"), tmp_path)
    nodes = list(csv.reader(io.StringIO((tmp_path / "nodes.csv").read_text(encoding="utf-8-sig"))))
    edges = list(csv.DictReader(io.StringIO((tmp_path / "edges.csv").read_text(encoding="utf-8-sig"))))
    assert nodes[1][2] == "'=1+2" and nodes[2][2] == "+46701234567", nodes
    assert edges[0]["source_ref"] == "'=cmd|' /C calc'!A0", edges
    assert edges[0]["details"] == "person_ref: @P1", edges  # not at the start of the cell


# -- each format reads back ------------------------------------------------------------------


def test_graphml_round_trips_through_networkx_and_igraph(four_cases, package):
    import igraph
    import networkx as nx

    path = package_path(four_cases, package) / "network.graphml"
    m = json.loads((path.parent / "manifest.json").read_text())
    g = nx.read_graphml(path, force_multigraph=True)
    assert g.number_of_nodes() == m["counts"]["nodes"] and g.number_of_edges() == m["counts"]["edges"]
    assert g.nodes[PHONE_ID]["kind"] == "phone" and g.nodes[PHONE_ID]["label"] == PHONE, g.nodes[PHONE_ID]
    assert g.nodes[PHONE_ID]["cases"] == f"{A}; {B}", g.nodes[PHONE_ID]
    stays = [d for _, _, d in g.edges(data=True) if d["relation"] == "STAYED_AT"]
    assert stays and stays[0]["case_id"] == A and stays[0]["source_ref"] == "A-4", stays
    assert stays[0]["check_in"] == "2030-01-01", stays  # dates as text
    ig = igraph.Graph.Read_GraphML(str(path))
    assert (ig.vcount(), ig.ecount()) == (g.number_of_nodes(), g.number_of_edges())
    assert {"kind", "label", "cases"} <= set(ig.vs.attributes()), ig.vs.attributes()
    assert {"relation", "case_id", "source_ref", "check_in"} <= set(ig.es.attributes()), ig.es.attributes()
    assert HOSTILE in ig.vs["label"], ig.vs["label"]
    assert all(s in (A, B) for s in ig.es["case_id"]), ig.es["case_id"]


def test_gexf_round_trips_through_networkx(four_cases, package):
    import networkx as nx

    path = package_path(four_cases, package) / "network.gexf"
    g = nx.read_gexf(path)
    m = json.loads((path.parent / "manifest.json").read_text())
    assert g.number_of_nodes() == m["counts"]["nodes"] and g.number_of_edges() == m["counts"]["edges"]
    assert g.nodes[PHONE_ID]["label"] == PHONE and g.nodes[PHONE_ID]["kind"] == "phone", g.nodes[PHONE_ID]
    edges = list(g.edges(data=True))
    assert all(d["case_id"] in (A, B) and d["source_ref"] and d["relation"] for _, _, d in edges), edges


def test_the_pdf_has_its_pages_and_page_one_renders(four_cases, package):
    import pypdfium2
    from pypdf import PdfReader

    from graphapp.export.pdf import SECTIONS

    path = package_path(four_cases, package) / "report.pdf"
    pages = [p.extract_text() for p in PdfReader(path).pages]
    # cover, network and legend, entities, links, timeline: each starts a page, in that order
    starts = [next((i for i, t in enumerate(pages) if heading in t), -1) for heading in SECTIONS]
    assert starts[:2] == [0, 1] and starts == sorted(set(starts)), (starts, len(pages))
    cover = pages[0]
    for expected in (A, B, "ines", package["id"], UNITS[A][0], "Koppleri Gävle"):
        assert expected in cover, (expected, cover)
    assert "Legend" in pages[1] and "Person" in pages[1], pages[1]
    assert HOSTILE in pages[starts[2]], pages[starts[2]]  # escaped for reportlab, printed as text
    links = "\n".join(pages[starts[3]:starts[4]])
    assert "A-4" in links and "check-in: 2030-01-01" in links, links
    timeline = "\n".join(pages[starts[4]:])
    assert "2030-01-01" in timeline and "A-4" in timeline, timeline
    ARTEFACTS.mkdir(exist_ok=True)
    pdf = pypdfium2.PdfDocument(str(path))
    image = pdf[0].render(scale=1.5).to_pil()
    image.save(ARTEFACTS / "export-report-page1.png")
    assert image.size[0] > 1000, image.size
    pdf.close()


def test_the_png_is_a_picture_of_the_network(four_cases, package):
    data = (package_path(four_cases, package) / "network.png").read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) > 10_000, len(data)
    ARTEFACTS.mkdir(exist_ok=True)
    (ARTEFACTS / "export-network.png").write_bytes(data)


def test_a_saved_query_graph_can_be_a_package(four_cases):
    from graphapp.services import saved_queries

    store, settings = four_cases.store, four_cases.settings
    ines = actor(settings, "ines")
    if "suspect_victims" not in {q.name for q in saved_queries.available(store, ines)}:
        pytest.skip("the saved query suspect_victims (issue 10) is not in this tree")
    spec = {"kind": "saved-query", "params": {"name": "suspect_victims", "params": {"suspect": "img"}}}
    package = exports.create(store, settings, ines, spec, ["csv", "html", "pdf"])
    assert package["view"]["kind"] == "saved-query", package["view"]
    assert package["cases"] == [A, B], package["cases"]  # Sara Lind is in B too: a node's cases
    directory = package_path(four_cases, package)
    with (directory / "nodes.csv").open(encoding="utf-8-sig", newline="") as fh:
        labels = {n["label"] for n in csv.DictReader(fh)}
    assert {HOSTILE, "Sara Lind", A} <= labels, labels
    # The result table as the runner read it: columns, entities by label, lists as items.
    assert "result.csv" in {f["name"] for f in package["files"]}, package["files"]
    with (directory / "result.csv").open(encoding="utf-8-sig", newline="") as fh:
        result = list(csv.reader(fh))
    columns = saved_queries.run(store, ines, "suspect_victims", {"suspect": "img"})["columns"]
    assert result[0] == columns and len(result) > 1, result
    assert any(HOSTILE in cell or "Sara Lind" in cell for row in result[1:] for cell in row), result
    assert not any(cell.startswith("person:") for row in result[1:] for cell in row), result
    html = (directory / "network.html").read_text(encoding="utf-8")
    assert "<h2>Query result</h2>" in html and HOSTILE not in html  # escaped
    # The legend shows each kind's shape as the drawing does (the app's own swatches).
    assert '<i class="swatch swatch-person"></i>' in html and ".swatch-hotel {" in html, html[:2000]
    from pypdf import PdfReader

    pages = [p.extract_text() for p in PdfReader(directory / "report.pdf").pages]
    assert "\nQuery result\n" in pages[1] and columns[0] in pages[1], pages[1][:300]
    # A result that names nothing makes no (signed, empty) package.
    nothing = {"kind": "saved-query", "params": {"name": "suspect_victims",
                                                 "params": {"suspect": "zzzz nobody"}}}
    with pytest.raises(BadSpec, match="nothing to put in a package"):
        exports.create(store, settings, ines, nothing, ["csv"])
    with (directory / "edges.csv").open(encoding="utf-8-sig", newline="") as fh:
        edges = list(csv.DictReader(fh))
    assert edges and all(e["case_id"] == A and e["source_ref"] for e in edges), edges
    for name, text in texts(directory).items():
        assert [t for t in HIDDEN_TEXT if t in text] == [], name


def test_the_path_finders_paths_can_be_a_package(four_cases):
    from graphapp.services import graph

    store, settings = four_cases.store, four_cases.settings
    ines = actor(settings, "ines")
    around = graph.network(store, ines, PHONE_ID, hops=1)
    suspect = next(n["id"] for n in around["nodes"] if n["label"] == HOSTILE)
    spec = {"kind": "path", "params": {"from": PHONE_ID, "to": suspect, "max_hops": 3}}
    package = exports.create(store, settings, ines, spec, ["csv", "graphml"])
    assert package["view"] == {"kind": "path", "params": {"from": PHONE_ID, "to": suspect,
                                                          "max_hops": 3, "k": 1}}, package["view"]
    directory = package_path(four_cases, package)
    with (directory / "edges.csv").open(encoding="utf-8-sig", newline="") as fh:
        edges = list(csv.DictReader(fh))
    assert [(e["type"], e["case_id"], e["source_ref"]) for e in edges] == [("USES", A, "A-3")], edges
    for name, text in texts(directory).items():
        assert [t for t in HIDDEN_TEXT if t in text] == [], name


def test_the_cross_case_report_can_be_a_package_without_its_hits(four_cases):
    store, settings = four_cases.store, four_cases.settings
    spec = {"kind": "cross-case", "params": {"min_cases": 2}}
    package = exports.create(store, settings, actor(settings, "ines"), spec, ["csv", "pdf", "html"])
    assert package["view"] == {"kind": "cross-case", "params": {
        "min_cases": 2, "kinds": ["person", "phone", "address", "hotel", "advert"], "limit": 50}}
    assert package["cases"] == [A, B], package["cases"]
    directory = package_path(four_cases, package)
    assert "report.csv" in {f["name"] for f in package["files"]}, package["files"]
    with (directory / "report.csv").open(encoding="utf-8-sig", newline="") as fh:
        report = list(csv.DictReader(fh))
    assert PHONE_ID in {r["id"] for r in report}, report
    assert {"Sara Lind", "Hotell Kusten, Gävle"} <= {r["label"] for r in report}, report
    assert all(r["cases"] == f"{A}; {B}" for r in report), report
    assert [r["rank"] for r in report] == [str(i) for i in range(1, len(report) + 1)], report
    with (directory / "edges.csv").open(encoding="utf-8-sig", newline="") as fh:
        edges = list(csv.DictReader(fh))
    phone_cases = {e["case_id"] for e in edges if PHONE_ID in (e["source"], e["target"])}
    assert phone_cases == {A, B}, edges  # each case that holds the phone, with its record
    assert all(e["source_ref"] for e in edges), edges
    found = texts(directory)
    assert "Cross-case links" in found["report.pdf"], found["report.pdf"][:500]
    for name, text in found.items():
        assert [t for t in HIDDEN_TEXT if t in text] == [], name
    with session_scope(settings) as s:
        notified = s.scalar(select(func.count()).select_from(Notification))
    assert notified == 0, "a cross-case package looked at hits and told the covert case's owners"


def test_a_cross_case_package_needs_the_report_and_good_parameters(four_cases):
    from graphapp.access import Forbidden

    store, settings = four_cases.store, four_cases.settings
    for params in ({"min_cases": 1}, {"kinds": ["case"]}, {"limit": 5000}, {"min_cases": "two"}):
        with pytest.raises(BadSpec):
            exports.create(store, settings, actor(settings, "ines"), {"kind": "cross-case", "params": params})
    with pytest.raises(Forbidden):
        exports.create(store, settings, actor(settings, "pia"), {"kind": "cross-case", "params": {}})


def _package_form(page: str) -> dict:
    """The fields of a page's evidence-package form, as a browser would post them."""
    from html import unescape

    form = re.search(r'<form method="post" action="/exports/new".*?</form>', page, re.S)
    assert form, "no evidence-package form on the page"
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', form.group(0)))
    return {k: unescape(v) for k, v in fields.items()}


def _post_package_form(client, page_path: str, formats=("csv",), method: str = "get", data=None) -> dict:
    page = (client.get(page_path) if method == "get" else client.post(page_path, data=data))
    assert page.status_code == 200, (page_path, page.status_code)
    fields = _package_form(page.get_data(as_text=True))
    made = client.post("/exports/new", data={**fields, "formats": list(formats)})
    assert made.status_code == 302 and "/exports/" in made.headers["Location"], made.status_code
    package_id = made.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    assert client.get(f"/exports/{package_id}").status_code == 200
    return fields | {"package_id": package_id}


def test_the_path_finder_query_and_cross_case_pages_make_packages(four_cases, client, settings):
    from graphapp.services import graph

    ines = actor(settings, "ines")
    suspect = next(n["id"] for n in graph.network(four_cases.store, ines, PHONE_ID, hops=1)["nodes"]
                   if n["label"] == HOSTILE)
    assert login(client, "ines").status_code == 302
    made = {}
    query = urlencode({"from": PHONE_ID, "to": suspect, "max_hops": 3})
    made["path"] = _post_package_form(client, f"/paths?{query}")
    made["cross-case"] = _post_package_form(client, "/links?min_cases=2")
    token = page_token(client, "/queries/suspect_victims")
    made["saved-query"] = _post_package_form(client, "/queries/suspect_victims", method="post",
                                             data={"csrf_token": token, "suspect": "img"})
    for kind, fields in made.items():
        package = exports.get(settings, ines, fields["package_id"])
        assert package["view"]["kind"] == kind == fields["kind"], package["view"]
        assert package["exporter"] == "ines" and package["cases"], package
    assert exports.get(settings, ines, made["path"]["package_id"])["view"]["params"]["to"] == suspect
    assert exports.get(settings, ines, made["saved-query"]["package_id"])["view"]["params"] == {
        "name": "suspect_victims", "params": {"suspect": "img"}}


def test_a_package_form_with_bad_parameters_makes_nothing(four_cases, client, settings):
    assert login(client, "ines").status_code == 302
    token = page_token(client, "/links")
    for params in ("{", '{"min_cases": 1}', "[]"):
        refused = client.post("/exports/new", data={"csrf_token": token, "kind": "cross-case",
                                                    "params": params}, follow_redirects=True)
        assert refused.status_code == 200 and "No package made" in refused.get_data(as_text=True), params
    forged = client.post("/exports/new", data={"csrf_token": "forged", "kind": "cross-case", "params": "{}"})
    assert forged.status_code == 400, forged.status_code
    assert exports.list_for(settings, actor(settings, "ines"), exports.Context()) == []


def test_cli_exports_any_view(four_cases, run, tmp_path):
    out = tmp_path / "pkg"
    view = json.dumps({"kind": "cross-case", "params": {"min_cases": 2, "kinds": ["phone"]}})
    result = run("export", "--view", view, "--format", "csv", "--as", "ines", "--out", out)
    assert "Cross-case links" in result.output, result.output
    with (out / "report.csv").open(encoding="utf-8-sig", newline="") as fh:
        assert [r["id"] for r in csv.DictReader(fh)] == [PHONE_ID]
    assert "package intact" in run("export", "verify", out).output
    run("export", PHONE_ID, "--view", view, "--as", "ines", code=2)
    run("export", "--as", "ines", code=2)
    run("export", "--view", "{nope", "--as", "ines", code=2)


# -- the signed manifest ---------------------------------------------------------------------


def _public_key(settings):
    return manifest.private_key(settings).public_key()


def test_verify_accepts_the_package_and_refuses_any_changed_byte(four_cases, package, tmp_path, run):
    import shutil

    source = package_path(four_cases, package)
    assert manifest.verify(source, _public_key(four_cases.settings)).ok
    result = run("export", "verify", source)
    assert "package intact: 7 files" in result.output, result.output
    for name in sorted(ALL_FILES):
        copy = tmp_path / name
        shutil.copytree(source, copy)
        path = copy / name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0x01
        path.write_bytes(bytes(data))
        failed = run("export", "verify", copy, code=1)
        assert f"FAILED: {name}" in failed.output, (name, failed.output)
        assert "NOT intact" in failed.output, failed.output
    extra = tmp_path / "extra"
    shutil.copytree(source, extra)
    (extra / "notes.txt").write_text("added")
    assert "notes.txt: not listed" in run("export", "verify", extra, code=1).output
    missing = tmp_path / "missing"
    shutil.copytree(source, missing)
    (missing / "report.pdf").unlink()
    assert "report.pdf: missing" in run("export", "verify", missing, code=1).output


def test_verify_offline_with_the_public_key_and_not_with_another(four_cases, package, tmp_path, run):
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = tmp_path / "casegraph.pub"
    printed = run("export", "public-key").output
    pem = printed[printed.index("-----BEGIN"):printed.index("-----END PUBLIC KEY-----") + 24]
    key.write_text(pem + "\n")
    source = package_path(four_cases, package)
    assert "package intact" in run("export", "verify", source, "--public-key", key).output
    other = tmp_path / "other.pub"
    other.write_bytes(manifest.public_key_pem(Ed25519PrivateKey.generate()))
    failed = run("export", "verify", source, "--public-key", other, code=1)
    assert "FAILED: manifest.json: the signature does not match" in failed.output, failed.output


def test_the_signing_key_is_owner_only(four_cases, package):
    path = four_cases.settings.key_file("export_signing_key")
    assert path.stat().st_mode & 0o777 == 0o600, oct(path.stat().st_mode)


# -- command line ----------------------------------------------------------------------------


def test_cli_export_as_a_user_writes_a_package_that_verifies(four_cases, run, tmp_path):
    out = tmp_path / "pkg"
    result = run("export", PHONE_ID, "--hops", "1", "--format", "csv,graphml", "--as", "ines", "--out", out)
    assert {p.name for p in out.iterdir()} == {"nodes.csv", "edges.csv", "network.graphml",
                                               "manifest.json", "manifest.sig"}, list(out.iterdir())
    assert "package " in result.output and A in result.output, result.output
    assert "package intact: 3 files" in run("export", "verify", out).output
    with session_scope(four_cases.settings) as s:
        record = s.scalar(select(AuditRecord).where(AuditRecord.action == "export"))
    assert record.actor == "ines" and record.os_user, (record.actor, record.os_user)
    listed = run("export", "list", "--as", "ines").output
    assert record.detail["package"] in listed, listed


def test_cli_refuses_a_prosecutor_hidden_entities_and_unknown_formats(four_cases, run, tmp_path):
    run("export", PHONE_ID, "--as", "pia", "--out", tmp_path / "a", code=1)
    hidden = run("export", "phone:+48600100200", "--as", "ines", "--out", tmp_path / "b", code=1)
    assert "no entity" in hidden.output, hidden.output
    run("export", PHONE_ID, "--as", "ines", "--format", "docx", code=2)


def test_cli_share_and_unshare(four_cases, run, package, settings):
    run("export", "share", package["id"], "pia", "--as", "ines")
    assert package["id"] in run("export", "list", "--as", "pia").output
    run("export", "share", package["id"], "olle", "--as", "ines", code=1)  # not a prosecutor
    run("export", "share", package["id"], "pia", "--as", "olle", code=1)   # not the exporter
    accounts.revoke_case(settings, "ines", B)  # the exporter may no longer open it ...
    listed = run("export", "list", "--as", "ines").output
    assert "no longer yours to open, still shared with pia" in listed and package["id"] in listed
    run("export", "unshare", package["id"], "pia", "--as", "ines")  # ... but still takes it back
    assert "no packages" in run("export", "list", "--as", "pia").output
    assert package["id"] not in run("export", "list", "--as", "ines").output


# -- HTTP: the API and the prosecutor's pages --------------------------------------------------


@pytest.fixture
def api_package(four_cases, client):
    h = four_cases.headers
    response = client.post("/api/v1/exports", headers=h["ines"],
                           json={"entity_ids": [PHONE_ID], "hops": 2, "formats": ["html", "csv"]})
    assert response.status_code == 201, (response.status_code, response.json)
    return response.json


def test_the_api_makes_lists_and_serves_a_package(four_cases, client, api_package):
    h = four_cases.headers
    assert {f["name"] for f in api_package["files"]} == {"network.html", "nodes.csv", "edges.csv",
                                                         "manifest.json", "manifest.sig"}
    listed = client.get("/api/v1/exports", headers=h["ines"]).json["exports"]
    assert [p["id"] for p in listed] == [api_package["id"]], listed
    got = client.get(f"/api/v1/exports/{api_package['id']}/files/edges.csv", headers=h["ines"])
    assert got.status_code == 200 and got.headers["Content-Disposition"].startswith("attachment;")
    assert got.headers["Content-Security-Policy"].startswith("sandbox"), got.headers
    assert A in got.get_data(as_text=True)
    with session_scope(four_cases.settings) as s:
        downloads = list(s.scalars(select(AuditRecord).where(AuditRecord.action == "download-export")))
    assert [(d.actor, d.detail["file"]) for d in downloads] == [("ines", "edges.csv")], downloads
    bad = client.post("/api/v1/exports", headers=h["ines"], json={"entity_ids": [PHONE_ID], "hops": 9})
    assert bad.status_code == 400, bad.json
    hidden = client.post("/api/v1/exports", headers=h["ines"], json={"entity_ids": ["phone:+48600100200"]})
    missing = client.post("/api/v1/exports", headers=h["ines"], json={"entity_ids": ["phone:+46700000000"]})
    assert hidden.status_code == missing.status_code == 404 and hidden.json == missing.json


def _every_endpoint(package_id: str) -> list[tuple[str, str]]:
    return [("GET", f"/api/v1/exports/{package_id}"),
            ("GET", f"/api/v1/exports/{package_id}/files/network.html"),
            ("GET", f"/api/v1/exports/{package_id}/files/manifest.json"),
            ("GET", f"/api/v1/exports/{package_id}/files/../../keys/export_signing_key"),
            ("POST", f"/api/v1/exports/{package_id}/shares"),
            ("DELETE", f"/api/v1/exports/{package_id}/shares/pia")]


def test_no_one_but_the_exporter_and_those_shared_with_reach_a_package(four_cases, client, api_package,
                                                                       settings):
    """IDOR on every export endpoint: another prosecutor, a member of the same case, a user of
    other cases, an administrator; and the prosecutor it is shared with can read, not pass on."""
    make_user(settings, "paul", "prosecutor", {})
    h = dict(four_cases.headers, paul=bearer(accounts.issue_token(settings, "paul")))
    package_id = api_package["id"]
    unknown = "0" * 32
    for user in ("pia", "paul", "olle", "cora", "rita"):
        assert client.get("/api/v1/exports", headers=h[user]).json["exports"] == [], user
        for method, path in _every_endpoint(package_id):
            response = client.open(path, method=method, headers=h[user], json={"user": "pia"})
            twin = client.open(path.replace(package_id, unknown), method=method, headers=h[user],
                               json={"user": "pia"})
            if user in ("pia", "paul") and method != "GET":
                assert response.status_code == 403, (user, method, path, response.status_code)
            else:
                assert response.status_code == 404, (user, method, path, response.status_code)
                assert response.json == twin.json, (user, path, response.json, twin.json)
    admin = client.get(f"/api/v1/exports/{package_id}", headers=h["adam"])
    assert admin.status_code == 403, admin.status_code

    shared = client.post(f"/api/v1/exports/{package_id}/shares", headers=h["ines"], json={"user": "pia"})
    assert shared.status_code == 200 and shared.json["shared_with"] == ["pia"], shared.json
    refused = client.post(f"/api/v1/exports/{package_id}/shares", headers=h["ines"], json={"user": "olle"})
    assert refused.status_code == 400, refused.json  # only prosecutors
    assert [p["id"] for p in client.get("/api/v1/exports", headers=h["pia"]).json["exports"]] == [package_id]
    seen = client.get(f"/api/v1/exports/{package_id}", headers=h["pia"]).json
    assert "shared_with" not in seen and seen["mine"] is False, seen
    got = client.get(f"/api/v1/exports/{package_id}/files/network.html", headers=h["pia"])
    assert got.status_code == 200, got.status_code
    for user in ("paul", "olle"):
        assert client.get(f"/api/v1/exports/{package_id}", headers=h[user]).status_code == 404, user
    passed_on = client.post(f"/api/v1/exports/{package_id}/shares", headers=h["pia"], json={"user": "paul"})
    assert passed_on.status_code == 403, passed_on.status_code
    # a prosecutor still reads nothing of the live graph
    for path in (f"/api/v1/entities/{PHONE_ID}", "/api/v1/search?q=Sara",
                 f"/api/v1/entities/{PHONE_ID}/network"):
        assert client.get(path, headers=h["pia"]).status_code == 403, path

    gone = client.delete(f"/api/v1/exports/{package_id}/shares/pia", headers=h["ines"])
    assert gone.status_code == 200 and gone.json["shared_with"] == [], gone.json
    assert client.get(f"/api/v1/exports/{package_id}", headers=h["pia"]).status_code == 404
    with session_scope(settings) as s:
        actions = [(r.action, r.actor, r.outcome) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.action.in_(("share-export", "unshare-export")))
            .order_by(AuditRecord.id))]
    assert actions == [("share-export", "ines", "ok"), ("share-export", "ines", "denied"),
                       ("unshare-export", "ines", "ok")], actions


def test_an_exporter_who_loses_a_case_loses_the_package(four_cases, client, api_package, settings):
    h = four_cases.headers
    accounts.revoke_case(settings, "ines", B)
    assert client.get(f"/api/v1/exports/{api_package['id']}", headers=h["ines"]).status_code == 404


def test_an_exporter_who_loses_a_case_can_still_end_the_packages_shares(four_cases, client,
                                                                           api_package, settings):
    # The exporter decides who reads a package (DESIGN.md); losing a case must not leave a
    # prosecutor's share beyond anyone's reach. Ending it only narrows who reads the package.
    h = four_cases.headers
    package_id = api_package["id"]
    shared = client.post(f"/api/v1/exports/{package_id}/shares", headers=h["ines"], json={"user": "pia"})
    assert shared.status_code == 200, shared.json
    accounts.revoke_case(settings, "ines", B)
    assert client.get(f"/api/v1/exports/{package_id}", headers=h["ines"]).status_code == 404
    again = client.post(f"/api/v1/exports/{package_id}/shares", headers=h["ines"], json={"user": "pia"})
    assert again.status_code == 404  # sharing it further still needs every case
    listed = client.get("/api/v1/exports", headers=h["ines"]).json
    assert listed["exports"] == [], listed
    assert [(p["id"], p["shared_with"]) for p in listed["shares_beyond_reach"]] == [(package_id, ["pia"])]
    assert set(listed["shares_beyond_reach"][0]) == {"id", "created_at", "shared_with"}

    assert login(client, "ines").status_code == 302
    page = client.get("/exports/").get_data(as_text=True)
    section = page.split('id="shares-beyond-reach"')[1]
    assert package_id in section and "End pia's access" in section, section
    assert HIDDEN_SPELLING not in section and PHONE not in section  # nothing of the package itself
    done = client.post(f"/exports/{package_id}/unshare", data={
        "csrf_token": page_token(client, "/exports/"), "user": "pia", "back": "list"})
    assert done.status_code == 302 and done.headers["Location"] == "/exports/", done.headers
    assert client.get(f"/api/v1/exports/{package_id}", headers=h["pia"]).status_code == 404
    assert 'id="shares-beyond-reach"' not in client.get("/exports/").get_data(as_text=True)
    with session_scope(settings) as s:
        ended = s.scalar(select(AuditRecord).where(AuditRecord.action == "unshare-export"))
        listed = list(s.scalars(select(AuditRecord).where(
            AuditRecord.action == "list-exports-beyond-reach")))
    assert (ended.actor, ended.outcome, ended.detail["user"]) == ("ines", "ok", "pia"), ended
    assert listed and {r.actor for r in listed} == {"ines"}, listed  # the API's and the page's
    assert all(r.detail["packages"] == [package_id] and B in r.cases for r in listed), listed


def test_a_file_altered_on_the_server_is_not_served(four_cases, client, api_package):
    path = exports.package_dir(four_cases.settings, api_package["id"]) / "nodes.csv"
    path.write_bytes(path.read_bytes() + b"x")
    response = client.get(f"/api/v1/exports/{api_package['id']}/files/nodes.csv",
                          headers=four_cases.headers["ines"])
    assert response.status_code == 409, response.status_code


def test_the_prosecutor_pages_show_only_shared_packages_and_sandbox_the_html(four_cases, client, settings):
    mine = make_package(four_cases, formats=["html", "pdf"])
    other = make_package(four_cases, hops=1, formats=["html"])
    exports.share(settings, actor(settings, "ines"), mine["id"], "pia")
    assert login(client, "pia").status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "/exports/" in home, home
    listing = client.get("/exports/")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert mine["id"] in text and other["id"] not in text, text
    page = client.get(f"/exports/{mine['id']}")
    assert page.status_code == 200 and "Share" not in page.get_data(as_text=True)
    view = client.get(f"/exports/{mine['id']}/view/network.html")
    assert view.status_code == 200, view.status_code
    assert view.headers["Content-Security-Policy"] == "sandbox allow-scripts", view.headers
    assert "allow-same-origin" not in view.headers["Content-Security-Policy"]
    assert view.data == (exports.package_dir(settings, mine["id"]) / "network.html").read_bytes()
    pdf = client.get(f"/exports/{mine['id']}/files/report.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", pdf.status_code
    assert pdf.headers["Content-Disposition"].startswith("attachment;"), pdf.headers
    for path in (f"/exports/{other['id']}", f"/exports/{other['id']}/view/network.html",
                 f"/exports/{other['id']}/files/network.html"):
        assert client.get(path).status_code == 404, path
    for path in ("/search?q=Sara", f"/entities/{PHONE_ID}", "/queries"):
        assert client.get(path).status_code == 403, path
    with session_scope(settings) as s:
        opened = [(r.action, r.actor, r.detail.get("file")) for r in s.scalars(
            select(AuditRecord).where(AuditRecord.action.in_(("open-export", "download-export")))
            .order_by(AuditRecord.id))]
    assert opened == [("open-export", "pia", "network.html"),
                      ("download-export", "pia", "report.pdf")], opened


def test_the_entity_page_makes_a_package_and_shares_it(four_cases, client, settings, tmp_path):
    assert login(client, "ines").status_code == 302
    page = client.get(f"/entities/{PHONE_ID}")
    assert 'action="/exports/new"' in page.get_data(as_text=True)
    token = page_token(client, f"/entities/{PHONE_ID}")
    made = client.post("/exports/new", data={"csrf_token": token, "entity_id": PHONE_ID, "hops": "1",
                                             "formats": ["csv", "png"]})
    assert made.status_code == 302 and "/exports/" in made.headers["Location"], made.status_code
    package_id = made.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    page = client.get(f"/exports/{package_id}").get_data(as_text=True)
    assert "nodes.csv" in page and "network.png" in page and "pia" in page, page
    shared = client.post(f"/exports/{package_id}/share", data={"csrf_token": token, "user": "pia"})
    assert shared.status_code == 302
    assert exports.get(settings, actor(settings, "ines"), package_id)["shared_with"] == ["pia"]
    # pia is the only prosecutor: no empty share form is left, the page says why.
    page = client.get(f"/exports/{package_id}").get_data(as_text=True)
    assert "Shared with every prosecutor." in page and 'name="user" required' not in page, page
    no_token = client.post(f"/exports/{package_id}/unshare", data={"user": "pia"})
    assert no_token.status_code == 400, no_token.status_code
    # The whole package as one ZIP and the public key: unpacked, the copy verifies.
    import io
    import zipfile

    zipped = client.get(f"/exports/{package_id}/package.zip")
    assert zipped.status_code == 200 and zipped.mimetype == "application/zip", zipped.status_code
    zipfile.ZipFile(io.BytesIO(zipped.data)).extractall(tmp_path)
    folder = tmp_path / f"casegraph-{package_id[:8]}"
    assert (folder / "manifest.json").exists() and (folder / "nodes.csv").exists()
    pem = client.get("/exports/public-key.pem").data
    assert manifest.verify(folder, manifest.load_public_key(pem)).ok
    # Another member of the package's case who did not make it gets what an unknown id gets.
    client.get("/logout")
    assert login(client, "olle").status_code == 302
    assert client.get(f"/exports/{package_id}/package.zip").status_code == 404
    assert client.get(f"/exports/{'0' * 32}/package.zip").status_code == 404


# -- the HTML in a browser with no network -----------------------------------------------------


@pytest.mark.browser
def test_the_package_html_opens_offline_and_a_hostile_name_stays_text(four_cases, package):
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is needed: apt-get install chromium"
    path = package_path(four_cases, package) / "network.html"
    expected = json.loads((path.parent / "manifest.json").read_text())["counts"]["nodes"]
    url = path.as_uri()
    aborted, dialogs, problems = [], [], []

    def only_the_file(route):
        if route.request.url == url:
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            context = browser.new_context(offline=True)
            page = context.new_page()
            page.route("**/*", only_the_file)
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(url, timeout=120_000)  # busy CI machines: vis-network inlined is large
            page.wait_for_selector("#network.ready", timeout=15000)
            count = page.get_attribute("#network", "data-node-count")
            canvases = page.locator("#network canvas").count()
            images = page.evaluate("document.images.length")
            cells = page.locator("table.entities td").all_inner_texts()
            page.wait_for_timeout(300)
        finally:
            browser.close()
    assert count == str(expected), (count, expected)
    assert canvases == 1, canvases
    assert HOSTILE in cells, cells
    assert images == 0 and dialogs == [], (images, dialogs)
    assert aborted == [] and problems == [], (aborted, problems)
