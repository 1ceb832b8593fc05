"""The offline HTML export: one self-contained file, sandboxed, audited with its digest.

A prosecutor must be able to open it with no network at all, and every link in it must cite
its source record.
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import pytest
from markupsafe import escape
from sqlalchemy import select

from graphapp.db import AuditRecord, session_scope
from graphapp.views.ui import VIS_DIR
from tests.conftest import make_user
from tests.test_web import login

INVESTIGATOR_CASES = {"K-2024-0113": "owner", "K-2024-0287": "read"}
EXPORT = "/entities/phone:%2B46701234567/export.html"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]

SCRIPT_BLOCK = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.IGNORECASE | re.DOTALL)
URL_ATTR = re.compile(r"""<[a-z][^>]*?\b(?:src|href|action|poster|data)\s*=\s*["']?([^"'\s>]*)""",
                      re.IGNORECASE)
CSS_URL = re.compile(r"""url\(\s*["']?([^"')]*)""", re.IGNORECASE)
CSS_IMPORT = re.compile(r"@import", re.IGNORECASE)


@pytest.fixture
def investigator(settings, demo_store, client):
    make_user(settings, "ines", "investigator", INVESTIGATOR_CASES)
    assert login(client, "ines").status_code == 302
    return client


@pytest.fixture
def exported(investigator):
    response = investigator.get(EXPORT)
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:500])
    return response


def embedded_view(html: str) -> dict:
    match = re.search(r'<script type="application/json" id="network-data">(.*?)</script>', html, re.DOTALL)
    assert match, "no #network-data in the export"
    return json.loads(match.group(1))


def test_export_is_a_sandboxed_attachment_with_everything_inlined(exported, investigator):
    headers = exported.headers
    assert headers["Content-Disposition"].startswith("attachment;"), headers["Content-Disposition"]
    disposition = headers["Content-Disposition"]
    assert re.search(r'filename="[\w.-]+\.html"', disposition), disposition
    assert headers["Content-Security-Policy"] == "sandbox allow-scripts", headers["Content-Security-Policy"]
    assert exported.mimetype == "text/html", exported.mimetype
    html = exported.get_data(as_text=True)

    vis_js = (VIS_DIR / "vis-network.min.js").read_text(encoding="utf-8")
    assert len(vis_js) > 100_000 and vis_js[-5000:] in html, "vis-network is not inlined whole"
    assert "@version 9.1.2" in html, "vis-network's banner is missing"

    # The data is the live network of the entity (2 hops by default), not something else.
    view = embedded_view(html)
    live = investigator.get("/api/v1/entities/phone:%2B46701234567/network?hops=2").json
    assert sorted(n["id"] for n in view["nodes"]) == sorted(n["id"] for n in live["nodes"]), view["nodes"]
    assert sorted(e["id"] for e in view["edges"]) == sorted(e["id"] for e in live["edges"]), view["edges"]
    assert len(view["nodes"]) >= 4 and view["edges"], view
    for node in view["nodes"]:
        assert str(escape(node["label"])) in html, node
    table = html.split("<table>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr><td>.*?</tr>", table, re.DOTALL)
    assert len(rows) == len(view["edges"]), (len(rows), len(view["edges"]))
    for edge in view["edges"]:
        assert edge["source_ref"], edge
        assert f"<td>{escape(edge['source_ref'])}</td>" in table, edge
        assert edge["case_id"] in INVESTIGATOR_CASES, edge
    assert "K-2024-0342" not in html and "JIT-07" not in html, "a hidden case leaked into the export"


def test_export_loads_nothing_from_anywhere(exported):
    html = exported.get_data(as_text=True)
    scripts = SCRIPT_BLOCK.findall(html)
    assert len(scripts) >= 3, len(scripts)
    for attrs, _ in scripts:
        assert not re.search(r"\bsrc\s*=", attrs, re.IGNORECASE), ("a script loaded from a file", attrs)
    markup = SCRIPT_BLOCK.sub("", html)
    assert "<script" not in markup.lower(), "a script tag the regex did not pair up"
    for url in URL_ATTR.findall(markup):
        assert url.startswith("data:") or url.startswith("#"), ("the export refers to", url)
    for url in CSS_URL.findall(markup):
        assert url.startswith("data:"), ("a style loads", url)
    assert not CSS_IMPORT.search(markup), "a style imports a file"
    # An advert's address may be shown as text (it is evidence); no tag may refer to one.
    tags = re.findall(r"<[^>]*>", markup)
    assert not [t for t in tags if re.search(r"https?://|//", t)], [t for t in tags if "//" in t]


def test_export_is_audited_with_its_digest(exported, settings):
    with session_scope(settings) as s:
        records = list(s.scalars(select(AuditRecord).where(AuditRecord.action == "export")))
    assert len(records) == 1, records
    record = records[0]
    digest = hashlib.sha256(exported.data).hexdigest()
    assert record.detail.get("sha256") == digest, (record.detail, digest)
    assert exported.headers.get("X-Content-SHA256", digest) == digest, exported.headers
    assert (record.actor, record.outcome) == ("ines", "ok"), (record.actor, record.outcome)
    assert record.cases == ["K-2024-0113", "K-2024-0287"], record.cases


def test_a_prosecutor_may_not_export_and_hidden_entities_are_404(client, settings, demo_store, investigator):
    hidden = investigator.get("/entities/phone:%2B40744123987/export.html")
    missing = investigator.get("/entities/phone:%2B46700000000/export.html")
    assert hidden.status_code == missing.status_code == 404, (hidden.status_code, missing.status_code)
    assert hidden.data == missing.data, "an invisible entity is answered differently from a missing one"
    assert "40744123987" not in hidden.get_data(as_text=True), hidden.get_data(as_text=True)

    other = client.application.test_client()
    make_user(settings, "pia", "prosecutor", INVESTIGATOR_CASES)
    assert login(other, "pia").status_code == 302
    refused = other.get(EXPORT)
    assert refused.status_code == 403, refused.status_code
    assert "Andrei" not in refused.get_data(as_text=True)
    with session_scope(settings) as s:
        exports = list(s.scalars(select(AuditRecord).where(AuditRecord.action == "export")))
    assert exports == [], [(r.actor, r.outcome) for r in exports]


@pytest.mark.browser
def test_the_export_opens_offline_in_a_browser(exported, tmp_path):
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is needed: apt-get install chromium"
    path = tmp_path / "export.html"
    path.write_bytes(exported.data)
    url = path.as_uri()
    expected_nodes = len(embedded_view(exported.get_data(as_text=True))["nodes"])

    aborted, requests, problems = [], [], []

    def only_the_file(route):
        if route.request.url == url:
            route.continue_()
        else:
            aborted.append(route.request.url)
            route.abort()

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            page = browser.new_page()
            page.route("**/*", only_the_file)
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("console", lambda m: m.type == "error" and problems.append(m.text))
            page.goto(url)
            page.wait_for_selector("#network.ready", timeout=15000)
            count = page.get_attribute("#network", "data-node-count")
            canvases = page.locator("#network canvas").count()
            status = page.inner_text("#network-status")
        finally:
            browser.close()
    assert count == str(expected_nodes), (count, expected_nodes)
    assert canvases == 1, canvases
    assert status.startswith(f"{expected_nodes} nodes"), status
    assert aborted == [], aborted
    assert [r for r in requests if r != url and not r.startswith("data:")] == [], requests
    assert problems == [], problems
