"""The path finder, the cross-case report, a detector and the analysis page in a real browser
(Playwright driving Debian's Chromium): what an investigator sees, and that nothing of the
covert case reaches the page. Screenshots go to test-artifacts/."""

from __future__ import annotations

import pytest

from tests import patterncases
from tests.patterncases import HIDDEN_WORDS
from tests.test_browser import (
    ARTEFACTS,
    browser,  # noqa: F401 - the module's Chromium fixture
    serving,
    watch,
)

pytestmark = pytest.mark.browser
PASSWORD = "correct horse battery staple"
pattern_cases = patterncases.pattern_cases  # the fixture


@pytest.fixture
def vera_page(browser, settings, pattern_cases):  # noqa: F811 - the fixture's value
    with serving(settings) as base:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        requests, problems = watch(page, warnings=False)
        page.goto(base + "/login")
        page.fill("input[name=username]", "vera")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/")
        yield page, base
        assert problems == [], problems
        assert [u for u in requests if not u.startswith(base)] == [], "a request left the app"
        page.close()


def shot(page, name: str) -> None:
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / name), full_page=True)


def labels_outside(page, graph: str) -> list:
    """The nodes of the vis-network drawn in ``graph`` whose box (shape and label) is not
    wholly inside its canvas."""
    return page.evaluate("""(sel) => {
        const el = document.querySelector(sel), net = el.network, out = [];
        for (const id of net.body.nodeIndices) {
            const b = net.getBoundingBox(id);
            const a = net.canvasToDOM({x: b.left, y: b.top}), z = net.canvasToDOM({x: b.right, y: b.bottom});
            if (a.x < 0 || a.y < 0 || z.x > el.clientWidth || z.y > el.clientHeight) { out.push(id); }
        }
        return out; }""", graph)


def no_hidden(page) -> None:
    text = page.content()
    leaked = [w for w in HIDDEN_WORDS if w in text]
    assert leaked == [], leaked


def test_find_a_path_and_read_the_chain(vera_page):
    page, base = vera_page
    page.click("nav >> text=Paths")
    page.fill("input[name=from]", "Pia Start")
    page.fill("input[name=to]", "Quentin End")
    page.click("text=Find paths")
    page.wait_for_selector("#path-graph.ready", timeout=15000)
    summary = page.inner_text("#path-summary")
    assert "from Pia Start to Quentin End, the shortest 3 hop(s)" in summary, summary
    chain = page.inner_text(".path-card >> nth=0")
    assert "Pia Start" in chain and "stayed at" in chain and "Hotell Väst, Borås" in chain, chain
    assert "case K-2031-0001, D1-10" in chain and "associated with" in chain, chain
    assert page.get_attribute("#path-graph", "data-node-count") == "4"
    assert page.locator("#path-graph canvas").count() == 1
    assert labels_outside(page, "#path-graph") == []
    no_hidden(page)
    shot(page, "path-finder.png")
    # A name that matches several entities asks which one is meant.
    page.fill("input[name=from]", "Hotell")
    page.fill("input[name=to]", "Ioana Marin")
    page.click("text=Find paths")
    assert "matches several entities; pick one" in page.inner_text("#pick-from")
    page.click("#pick-from >> text=Hotell Nord, Gävle")
    page.wait_for_selector("#path-summary")
    assert "the shortest 1 hop(s)" in page.inner_text("#path-summary")
    no_hidden(page)


def test_open_the_cross_case_report(vera_page):
    page, base = vera_page
    page.click("nav >> text=Cross-case links")
    assert page.inner_text("#links-summary").startswith("4 entities link 2 or more of your cases")
    rows = page.locator("#links-table tbody tr")
    assert rows.count() == 4
    first = rows.nth(0).inner_text()
    assert "K-2031-0001, K-2031-0002" in first and "Polisregion Mitt; Polisregion Nord" in first
    page.wait_for_selector("#case-graph.ready", timeout=15000)
    assert page.get_attribute("#case-graph", "data-edge-count") == "1"
    assert labels_outside(page, "#case-graph") == []
    # Sort by the first-date column: the earliest first.
    page.click("#links-table th >> text=First")
    dates = [rows.nth(i).locator("td").nth(5).inner_text() for i in range(4)]
    assert dates == sorted(dates), dates
    # From the keyboard: a heading is a button; Enter on it again sorts the other way.
    page.focus("#links-table th button >> text=First")
    page.keyboard.press("Enter")
    assert page.get_attribute("#links-table th >> nth=5", "aria-sort") == "descending"
    dates = [rows.nth(i).locator("td").nth(5).inner_text() for i in range(4)]
    assert dates == sorted(dates, reverse=True) and dates[0] != dates[-1], dates
    no_hidden(page)
    shot(page, "cross-case-links.png")


def test_run_a_detector_and_read_its_facts(vera_page):
    page, base = vera_page
    page.click("nav >> text=Detectors")
    page.click("text=A suspect linked to victims in several cases")
    assert "several investigations" in page.inner_text("#detector-explanation")
    finding = page.inner_text(".finding >> nth=0")
    assert "Viktor Sten: linked to 3 victim(s) in 2 cases" in finding, finding
    assert "D2-12" in finding and "controller" in finding
    no_hidden(page)
    shot(page, "detector-suspect-victims.png")
    page.click("text=Several persons at one hotel on overlapping dates")
    assert "Hotell Nord, Gävle: 2 persons between 2031-01-04 and 2031-01-07" in page.inner_text(
        ".finding >> nth=0")
    no_hidden(page)


def test_the_analysis_page_draws_communities_and_a_table(vera_page):
    page, base = vera_page
    page.fill("input[name=q]", "Viktor Sten")
    page.press("input[name=q]", "Enter")
    page.click("main >> text=Viktor Sten")
    entity = page.url.split("/entities/", 1)[1]
    page.goto(f"{base}/entities/{entity}/analysis?hops=3")
    page.wait_for_selector("#analysis-graph.ready", timeout=15000)
    assert labels_outside(page, "#analysis-graph") == []
    assert "communit" in page.inner_text("#analysis-summary")
    assert page.locator("#analysis-table tbody tr").count() >= 5
    # The count above the table is the table's: case nodes are drawn, not measured.
    scope = page.inner_text("#analysis-scope")
    assert int(scope.split()[0]) == page.locator("#analysis-table tbody tr").count(), scope
    assert "case nodes drawn but left out of the measures" in scope, scope
    page.click("#analysis-table th >> text=Degree")
    page.click("#analysis-table th >> text=Degree")  # descending
    top = page.locator("#analysis-table tbody tr").nth(0).inner_text()
    assert "Viktor Sten" in top or "+46701112233" in top, top
    no_hidden(page)
    shot(page, "network-analysis.png")
