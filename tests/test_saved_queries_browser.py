"""Saved queries in a real browser: the generated form, the sortable table, a graph result
drawn by the network view, and the console; no script error, nothing fetched off-site."""

from __future__ import annotations

import pytest

from graphapp import accounts
from tests import librarycases
from tests.librarycases import DAN_PHONE, L1, L2, L3
from tests.test_browser import ARTEFACTS, browser, serving, watch  # noqa: F401 - the module's browser fixture

pytestmark = pytest.mark.browser
library_cases = librarycases.library_cases  # the fixture
PASSWORD = "a new long passphrase for lina"


@pytest.fixture
def live(settings, library_cases):
    accounts.set_password(settings, "lina", PASSWORD)
    with serving(settings) as base:
        yield base


def test_queries_table_network_and_console_in_chromium(browser, live):  # noqa: F811
    page = browser.new_page()
    requests, problems = watch(page)
    page.goto(live + "/login")
    page.fill("input[name=username]", "lina")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    page.goto(live + "/queries/shared_phones")
    assert page.get_attribute("input[name=min_cases]", "type") == "number"
    page.fill("input[name=min_cases]", "2")
    page.click("button:text('Run')")
    page.wait_for_selector("#result-table[data-sortable=ready]")
    # The column headings are readable: dark on the table's light background (they were
    # white, the top bar's link colour).
    heading = page.eval_on_selector("#result-table thead button[data-column='1']",
                                    "b => getComputedStyle(b).color")
    assert heading != "rgb(255, 255, 255)", heading
    first = page.locator("#result-table tbody tr").first.inner_text()
    assert DAN_PHONE in first, first
    # Sort by case_count, ascending: a two-case phone comes first.
    page.click("#result-table thead button[data-column='1']")
    assert page.get_attribute("#result-table", "data-sorted") == "1:asc"
    assert DAN_PHONE not in page.locator("#result-table tbody tr").first.inner_text()
    page.click("#result-table thead button[data-column='1']")
    assert DAN_PHONE in page.locator("#result-table tbody tr").first.inner_text()

    page.goto(live + "/queries/suspect_victims")
    page.fill("input[name=suspect]", "dan")
    page.click("button:text('Run')")
    page.wait_for_selector("#network.ready", timeout=15000)
    assert page.get_attribute("#network", "data-node-count") == "5"
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "saved-query-graph.png"), full_page=True)

    page.goto(live + "/console")
    page.fill("textarea[name=statement]", "MATCH (c:Case) RETURN c.case_id AS case_id ORDER BY case_id")
    page.click("button:text('Run')")
    page.wait_for_selector("#result-table")
    cells = page.locator("#result-table tbody td").all_inner_texts()
    assert [c.strip() for c in cells] == [L1, L2, L3], cells

    assert not problems, problems
    assert all(u.startswith(live) for u in requests), [u for u in requests if not u.startswith(live)]
