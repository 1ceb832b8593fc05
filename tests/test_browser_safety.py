"""A hostile name in Chromium (Playwright, Debian's Chromium): no script runs, the text shows.

A person named ``<img src=x onerror=alert(1)>`` (tests/fourcases.py) is opened on every page
that shows names: search results, the entity page, the network's tooltip (vis-network, on
hover), and the covert owner's notifications. On each page a dialog handler watches for the
payload running, no ``<img src=x>`` element may exist, no CSP violation may be reported (the
CSP would only hide an escaping bug), and the name shows as text.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

from tests import fourcases
from tests.fourcases import HOSTILE, PASSWORD
from tests.test_browser import browser, serving  # noqa: F401 - the module's Chromium fixture

pytestmark = pytest.mark.browser

four_cases = fourcases.four_cases  # the fixture


@pytest.fixture
def live_server(settings, four_cases):
    with serving(settings) as base:
        yield base


class Watched:
    """A page with a dialog handler, a console listener and the XSS flag armed."""

    def __init__(self, browser, base: str):  # noqa: F811 - the fixture's value
        self.base = base
        self.page = browser.new_page()
        self.dialogs: list[str] = []
        self.csp: list[str] = []
        self.page.on("dialog", self._dialog)
        self.page.on("console", lambda m: "Content Security Policy" in m.text and self.csp.append(m.text))
        self.page.on("pageerror", lambda e: self.csp.append(str(e)))

    def _dialog(self, dialog) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def login(self, name: str) -> None:
        self.page.goto(self.base + "/login")
        self.page.fill("input[name=username]", name)
        self.page.fill("input[name=password]", PASSWORD)
        self.page.click("main button[type=submit]")
        self.page.wait_for_url(self.base + "/")

    def check(self, where: str) -> None:
        """Nothing ran, nothing was parsed as markup, and the name is there as text."""
        self.page.wait_for_timeout(300)  # an onerror would fire at once; give it the chance
        assert self.dialogs == [], (where, self.dialogs)
        assert self.page.locator("img[src='x']").count() == 0, where
        assert self.csp == [], (where, self.csp)
        assert self.page.get_by_text(HOSTILE, exact=False).first.is_visible(), where


def person_node_centre(page) -> tuple[float, float]:
    """Where the (one) person node is drawn: the centre of the canvas pixels in its colour
    (#c0392b), in page coordinates, once the layout has stopped moving."""
    script = """() => {
      const canvas = document.querySelector('#network canvas');
      const ctx = canvas.getContext('2d');
      const {width, height} = canvas;
      const data = ctx.getImageData(0, 0, width, height).data;
      let sx = 0, sy = 0, n = 0;
      for (let y = 0; y < height; y += 2) {
        for (let x = 0; x < width; x += 2) {
          const i = (y * width + x) * 4;
          if (Math.abs(data[i] - 192) < 12 && Math.abs(data[i + 1] - 57) < 12 &&
              Math.abs(data[i + 2] - 43) < 12) { sx += x; sy += y; n += 1; }
        }
      }
      if (!n) { return null; }
      const r = canvas.getBoundingClientRect();
      return [r.left + (sx / n) * r.width / width, r.top + (sy / n) * r.height / height];
    }"""
    last = None
    for _ in range(40):
        page.wait_for_timeout(250)
        now = page.evaluate(script)
        if now is not None and last is not None and abs(now[0] - last[0]) < 1 and abs(now[1] - last[1]) < 1:
            return now
        last = now
    raise AssertionError(f"the person node did not settle: {last}")


def test_a_hostile_name_runs_no_script_on_any_page(browser, live_server, four_cases):  # noqa: F811
    w = Watched(browser, live_server)
    w.login("olle")

    # Search results.
    w.page.goto(live_server + "/search?q=img")
    w.check("search results")
    w.page.click(f"ul.results a:has-text('{HOSTILE}')")

    # The entity page, then its network tooltip.
    w.page.wait_for_selector("#network.ready", timeout=15000)
    assert w.page.url.startswith(live_server + "/entities/person:"), w.page.url
    w.check("entity page")
    x, y = person_node_centre(w.page)
    w.page.mouse.move(x - 30, y - 30)
    w.page.mouse.move(x, y, steps=5)
    tip = w.page.locator("div.vis-tooltip")
    tip.wait_for(state="visible", timeout=5000)
    assert HOSTILE in tip.inner_text(), tip.inner_text()
    assert tip.locator("img").count() == 0
    w.check("network tooltip")

    # A fact row on the phone's page names the person as well.
    w.page.goto(live_server + "/entities/" + quote("phone:+46709990011", safe=":"))
    w.check("phone page")
    w.page.close()

    # The covert owner's notifications (olle's look above notified cora).
    owner = Watched(browser, live_server)
    owner.login("cora")
    owner.page.goto(live_server + "/notifications")
    assert owner.page.locator("table.notifications tbody tr").count() >= 1
    owner.check("notifications")
    owner.page.close()
