"""A real browser (Playwright driving Debian's Chromium) against the real app and store."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from graphapp import accounts, create_app
from ingest import demo

pytestmark = pytest.mark.browser

CHROMIUM = "/usr/bin/chromium"
ARTEFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    assert os.path.exists(CHROMIUM), "Debian's chromium is needed: apt-get install chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@contextmanager
def serving(settings) -> Iterator[str]:
    """The app on a free local port, served from a thread for a browser; its base URL."""
    server = make_server("127.0.0.1", 0, create_app(settings), threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


def watch(page, *, warnings: bool = True) -> tuple[list[str], list[str]]:
    """Record a page's requests and its script errors (console errors, and warnings if
    asked): ``(requests, problems)``, filled in as the page runs."""
    requests: list[str] = []
    problems: list[str] = []
    shown = ("error", "warning") if warnings else ("error",)
    page.on("request", lambda r: requests.append(r.url))
    page.on("console", lambda m: m.type in shown and problems.append(m.text))
    page.on("pageerror", lambda e: problems.append(str(e)))
    return requests, problems


@pytest.fixture
def live_server(settings, demo_store):
    with serving(settings) as base:
        yield base


@pytest.fixture
def demo_investigator(settings):
    password = accounts.reset_one_time_password(settings, "demo-investigator", "investigator")
    for case_id, access in demo.MEMBERSHIPS["investigator"].items():
        accounts.grant_case(settings, "demo-investigator", case_id, access, granted_by="test")
    return password


def test_investigator_finds_a_phone_and_sees_its_network(browser, live_server, demo_investigator):
    page = browser.new_page()
    requests, problems = watch(page)

    page.goto(live_server + "/")
    page.fill("input[name=username]", "demo-investigator")
    page.fill("input[name=password]", demo_investigator)
    page.click("button[type=submit]")
    # A one-time password must be replaced first.
    page.fill("input[name=current]", demo_investigator)
    page.fill("input[name=new]", "a new long passphrase")
    page.fill("input[name=confirm]", "a new long passphrase")
    page.click("main button[type=submit]")

    page.fill("input[name=q]", "070 123 45 67")
    page.press("input[name=q]", "Enter")
    page.click("text=+46701234567")
    page.wait_for_selector("#network.ready", timeout=15000)

    # 2 hops: the phone, its two visible cases, Andrei who uses it, the number it called, the
    # advert listing it; then Andrei's address, Maria (using the called number) and her advert.
    assert page.get_attribute("#network", "data-node-count") == "9"
    assert page.locator("#network canvas").count() == 1
    assert "Andrei Popescu" in page.inner_text("table.facts")
    assert "K-2024-0342" not in page.content(), "a hidden case leaked into the page"
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "entity-network.png"), full_page=True)

    # On a narrow window the top bar wraps instead of pushing "Log out" off the page.
    page.set_viewport_size({"width": 800, "height": 900})
    page.reload()
    page.wait_for_selector("#network.ready", timeout=15000)
    assert page.evaluate("document.documentElement.scrollWidth") <= 800
    logout = page.locator("header.top button", has_text="Log out").bounding_box()
    assert logout and logout["x"] + logout["width"] <= 800, logout
    page.screenshot(path=str(ARTEFACTS / "entity-network-800.png"))

    foreign = [u for u in requests if not u.startswith(live_server)]
    assert foreign == [], foreign
    assert problems == [], problems
    page.close()


def test_hostile_name_is_shown_as_text(browser, live_server, settings, store, tmp_path):
    from ingest.loader import load_directory

    hostile = '<img src=x onerror="document.title=\'pwned\'">'
    d = tmp_path / "hostile"
    d.mkdir()
    (d / "persons.csv").write_text(
        "case_id,person_ref,name,source\nK-2024-0113,H1,\"" + hostile.replace('"', '""') + "\",X-1\n")
    (d / "phones.csv").write_text("case_id,number,person_ref,source\nK-2024-0113,070-999 88 77,H1,X-1\n")
    assert load_directory(d, store, settings).ok
    accounts.add_user(settings, "ivy", "investigator", "correct horse battery staple")
    accounts.grant_case(settings, "ivy", "K-2024-0113", "read", granted_by="test")

    page = browser.new_page()
    page.goto(live_server + "/login")
    page.fill("input[name=username]", "ivy")
    page.fill("input[name=password]", "correct horse battery staple")
    page.click("button[type=submit]")
    page.goto(live_server + "/entities/phone:%2B46709998877")
    page.wait_for_selector("#network.ready", timeout=15000)
    page.hover("#network canvas")
    assert hostile in page.inner_text("table.facts")
    assert page.title() != "pwned"
    assert page.locator("img[src=x]").count() == 0
    page.close()
