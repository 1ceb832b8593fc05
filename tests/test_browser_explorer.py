"""The explorer in a real browser (Playwright driving Debian's Chromium): search a phone typed
with spaces, open its network, filter it, expand a node; and how long a 2,000-node and a
10,000-node view take until they are drawn and still (printed; see the README)."""

from __future__ import annotations

import csv
import os
import time
from urllib.parse import quote

import pytest

from graphapp import accounts
from ingest import demo
from ingest.loader import load_directory
from tests.test_browser import (
    ARTEFACTS,
    browser,  # noqa: F401 - the module's Chromium fixture
    serving,
    watch,
)

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"


@pytest.fixture
def base(settings):
    """The app served for the browser (its users and data are added by each test)."""
    with serving(settings) as url:
        yield url


def log_in(browser, base: str, name: str):  # noqa: F811 - the fixture's value
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    _, problems = watch(page, warnings=False)
    page.goto(base + "/login")
    page.fill("input[name=username]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(base + "/")
    return page, problems


def count(page, attr: str) -> int:
    return int(page.get_attribute("#network", attr) or "0")


def node_at(page, entity_id: str) -> tuple[float, float]:
    """Where a node is drawn, in page coordinates."""
    return tuple(page.evaluate("""(id) => {
      const n = document.querySelector('#network').casegraph.network;
      const p = n.canvasToDOM(n.getPositions([id])[id]);
      const r = document.querySelector('#network canvas').getBoundingClientRect();
      return [r.left + p.x, r.top + p.y];
    }""", entity_id))


def test_search_open_filter_and_expand(browser, settings, demo_store, base):  # noqa: F811
    accounts.add_user(settings, "ines", "investigator", PASSWORD)
    for case_id, access in demo.MEMBERSHIPS["investigator"].items():
        accounts.grant_case(settings, "ines", case_id, access, granted_by="test")
    page, problems = log_in(browser, base, "ines")
    ARTEFACTS.mkdir(exist_ok=True)

    # The search box suggests as one types; Enter runs the search. Results are grouped by kind.
    page.fill("input[name=q]", "070 123 45 67")
    page.wait_for_selector("#search-suggestions [role=option]", timeout=5000)
    assert page.get_attribute("input[name=q]", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    assert page.get_attribute("#suggestion-0", "aria-selected") == "true"
    page.keyboard.press("Escape")
    page.click("form.search button[type=submit]")
    page.wait_for_load_state()
    page.screenshot(path=str(ARTEFACTS / "explorer-search.png"), full_page=True)
    page.wait_for_selector("#results")
    assert "phone" in page.inner_text("#group-phone").lower()
    assert "+46701234567" in page.inner_text("#results")
    page.screenshot(path=str(ARTEFACTS / "explorer-search.png"), full_page=True)
    page.click("#results a:has-text('+46701234567')")

    # The entity page's network: 2 hops by default, the legend, labels.
    page.wait_for_selector("#network.ready", timeout=15000)
    assert count(page, "data-node-count") == 9
    assert count(page, "data-visible-count") == 9
    # Every node's label is inside the canvas (none cut at its edge).
    outside = page.evaluate("""() => {
        const el = document.querySelector('#network'), net = el.casegraph.network;
        const w = el.clientWidth, h = el.clientHeight, out = [];
        for (const id of net.body.nodeIndices) {
            const b = net.getBoundingBox(id);
            const a = net.canvasToDOM({x: b.left, y: b.top}), z = net.canvasToDOM({x: b.right, y: b.bottom});
            if (a.x < 0 || a.y < 0 || z.x > w || z.y > h) { out.push([id, a, z, w, h]); }
        }
        return out; }""")
    assert outside == [], outside
    # From the keyboard: the canvas is one tab stop; arrows step through the nodes by label.
    assert page.locator("#network [tabindex]:not([tabindex='-1'])").count() == 0
    page.focus("#network")
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#network-status").startswith("1 of 9: "), page.inner_text("#network-status")
    first = page.inner_text("#details-title")
    page.keyboard.press("ArrowRight")
    assert page.inner_text("#details-title") not in ("Nothing selected", first)
    page.keyboard.press("ArrowLeft")
    assert page.inner_text("#details-title") == first
    page.keyboard.press("Escape")
    assert page.inner_text("#details-title") == "Nothing selected"
    legend = page.inner_text("#network-legend")
    for kind in ("Person", "Phone", "Address", "Hotel", "Advert", "Case"):
        assert kind in legend, legend
    assert "Person (2)" in legend and "Case (2)" in legend, legend
    # A kind the view does not hold is named in the legend, greyed, and cannot be unticked.
    empty = page.locator("#network-legend li.empty")
    assert empty.count() == legend.count("(0)") >= 1, legend
    assert all(empty.nth(i).locator("input").is_disabled() for i in range(empty.count()))
    assert "K-2024-0342" not in page.content(), "a hidden case leaked into the page"

    # Filter: hide cases (legend checkbox), then one case, then a date range.
    page.check("#network-legend input[value=case]")  # already checked: a no-op
    page.uncheck("#network-legend input[value=case]")
    assert count(page, "data-visible-count") == 7
    page.screenshot(path=str(ARTEFACTS / "explorer-filtered.png"), full_page=True)
    page.click("#filter-reset")
    assert count(page, "data-visible-count") == 9
    page.uncheck("#network-cases input[value='K-2024-0287']")
    only_0113 = count(page, "data-visible-count")
    assert 1 < only_0113 < 9, only_0113
    page.click("#filter-reset")
    page.fill("#filter-from", "2030-01-01")
    page.dispatch_event("#filter-from", "change")
    dated = count(page, "data-visible-count")
    assert dated < 9, dated
    page.click("#filter-reset")

    # Expand in place on the large view, 1 hop: double-click Andrei, his neighbours join.
    page.goto(base + "/entities/" + quote("phone:+46701234567", safe=":") + "/network?hops=1")
    page.wait_for_selector("#network.ready", timeout=15000)
    before = count(page, "data-node-count")
    andrei = page.evaluate("""() => Object.values(document.querySelector('#network').casegraph.entities)
                                 .find(n => n.label === 'Andrei Popescu').id""")
    x, y = node_at(page, andrei)
    page.mouse.click(x, y)
    assert page.inner_text("#details-title") == "Andrei Popescu"
    assert page.is_enabled("#details-expand")
    page.uncheck("#network-legend input[value=case]")  # hidden before the expansion...
    page.mouse.dblclick(x, y)
    page.wait_for_function("() => document.querySelector('#network').dataset.expanded === '1'",
                           timeout=10000)
    after = count(page, "data-node-count")
    assert after > before, (before, after)
    # ...stays hidden, and its box unticked, when the expansion rebuilds the legend.
    assert not page.is_checked("#network-legend input[value=case]")
    assert page.evaluate("""() => { const x = document.querySelector('#network').casegraph;
        return x.nodesView.get().filter(n => (x.entities[n.id] || {}).kind === 'case').length; }""") == 0
    page.screenshot(path=str(ARTEFACTS / "explorer-expanded.png"), full_page=True)
    assert problems == [], problems
    page.close()


def drawn_and_still(page, url: str) -> dict:
    """Open ``url`` and wait until the view is drawn and its positions stop changing."""
    began = time.perf_counter()
    page.goto(url)
    page.wait_for_selector("#network.ready", timeout=300_000)
    positions = "JSON.stringify(document.querySelector('#network').casegraph.network.getPositions())"
    first = page.evaluate(positions)
    page.wait_for_timeout(500)
    assert page.evaluate(positions) == first, "the view is still moving"
    wall = (time.perf_counter() - began) * 1000
    data = page.evaluate("({...document.querySelector('#network').dataset})")
    return {"nodes": int(data["nodeCount"]), "edges": int(data["edgeCount"]),
            "layout": data["layout"], "fetch_ms": int(data.get("fetchMs", 0)),
            "server_layout_ms": float(data.get("layoutMs", 0)), "draw_ms": int(data["drawMs"]),
            "drawn_ms": int(data["drawnMs"]), "wall_ms": round(wall)}


#: One frame of the drawn view after a move to ``position`` at ``scale``: the time from the
#: move until vis-network has drawn it (what a pan or a zoom step costs the person using it).
FRAME = """([dx, scale]) => new Promise(done => {
  const n = document.querySelector('#network').casegraph.network;
  const at = n.getViewPosition();
  const t = performance.now();
  n.once('afterDrawing', () => done(Math.round(performance.now() - t)));
  n.moveTo({position: {x: at.x + dx, y: at.y}, scale: scale || n.getScale()});
})"""


DETAIL = "() => document.querySelector('#network').dataset.detail === '{}'"


LABELLED = "() => Number(document.querySelector('#network').dataset.nearLabels || 0) {}"


def interactive(page) -> dict:
    """How long a pan frame takes at the fitted zoom, and one zoomed in far enough for a large
    view to draw its arrows again and label the links in sight (and that it does, and drops
    both once fitted again)."""
    pan = max(page.evaluate(FRAME, [40, 0]) for _ in range(3))
    zoom = page.evaluate(FRAME, [0, 1.0])
    page.wait_for_function(DETAIL.format("near"), timeout=60_000)
    page.wait_for_function(LABELLED.format("> 0"), timeout=60_000)
    labelled = int(page.get_attribute("#network", "data-near-labels"))
    near = max(page.evaluate(FRAME, [40, 0]) for _ in range(3))
    page.evaluate("() => document.querySelector('#network').casegraph.network.fit()")
    page.wait_for_function(DETAIL.format("far"), timeout=60_000)
    page.wait_for_function(LABELLED.format("=== 0"), timeout=60_000)
    return {"pan_ms": pan, "zoom_ms": zoom, "near_pan_ms": near, "labelled": labelled}


#: The generated scenario for the large views: one entity (a hotel in 109 cases) reaches 10,000
#: nodes within 3 hops through cases (48,000 rows reach about 6,400 from the best start,
#: 100,000 rows 9,999). Loaded once for the module (about 30 s on a quiet 2-CPU machine).
BIG_ROWS = 120_000


@pytest.fixture(scope="module")
def big_graph(session_store, session_settings, tmp_path_factory):
    """The large scenario in the session graph, and the entity that most cases mention (a
    busy hotel), from which the large views are drawn."""
    store = session_store
    store.drop_all()
    store.ensure_schema()
    directory = demo.write_scenario(tmp_path_factory.mktemp("big"), rows=BIG_ROWS, seed=1)
    began = time.perf_counter()
    assert load_directory(directory, store, session_settings).ok
    print(f"\nloaded {BIG_ROWS:,} demo rows in {time.perf_counter() - began:.1f} s")
    with (directory / "cases.csv").open(encoding="utf-8-sig") as fh:
        cases = [row["case_id"] for row in csv.DictReader(fh)]
    case_nids = [int(store.read("views/entity/case", {"keys": [c]}, allowed_cases=cases)[0]["nid"])
                 for c in cases]
    mentions: dict[int, list[int]] = {}
    rows = store.read("views/neighbours", {"nids": case_nids, "skip": 0, "per_node": 100_000},
                      allowed_cases=cases)
    for row in rows:
        for other in row["shown"]:
            mentions.setdefault(int(other), []).append(int(row["nid"]))
    hub, by = max(mentions.items(), key=lambda kv: (len(kv[1]), -kv[0]))
    fact = store.read("views/neighbour_facts", {"pairs": [[by[0], hub]]}, allowed_cases=cases)[0]
    entity_id = f"{fact['label'].lower()}:{fact['key']}"
    return {"cases": cases, "entity": entity_id, "case_count": len(by)}


@pytest.mark.parametrize("size", [2000, 10_000])
def test_large_views_are_drawn_and_still(browser, settings, big_graph, size, base):  # noqa: F811
    accounts.add_user(settings, "vera", "investigator", PASSWORD)
    for case_id in big_graph["cases"]:
        accounts.grant_case(settings, "vera", case_id, "read", granted_by="test")
    page, problems = log_in(browser, base, "vera")
    ARTEFACTS.mkdir(exist_ok=True)
    start = big_graph["entity"]
    url = (f"{base}/entities/{quote(start, safe=':')}/network?hops=3&limit={size}&per_node=5000"
           "&through_cases=1&layout=auto")
    f = drawn_and_still(page, url)
    page.screenshot(path=str(ARTEFACTS / f"explorer-{size}-nodes.png"))
    i = interactive(page)
    print(f"\nview of {f['nodes']} nodes / {f['edges']} links from {start} "
          f"({big_graph['case_count']} cases): API {f['fetch_ms']} ms (server layout "
          f"{f['server_layout_ms']} ms), drawn and still {f['draw_ms']} ms after the data came, "
          f"{f['drawn_ms']} ms after navigation start, {f['wall_ms']} ms in all; a pan frame "
          f"{i['pan_ms']} ms, zooming in {i['zoom_ms']} ms, a pan frame zoomed in "
          f"{i['near_pan_ms']} ms with {i['labelled']} links labelled "
          f"(load average {os.getloadavg()[0]:.1f})")
    assert f["layout"] == "server", f
    assert f["nodes"] >= size, f
    # Usable, not merely drawn: a frame took 25 s at 10,000 nodes before large views dropped
    # dashes and far-off arrows. Generous bounds, for a loaded 2-CPU machine.
    assert f["draw_ms"] < 60_000, f
    assert i["pan_ms"] < 5_000 and i["near_pan_ms"] < 5_000, i
    assert problems == [], problems
    page.close()
