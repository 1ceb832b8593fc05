"""The administration pages in Chromium: an action that takes something away from a colleague
(their account, their password, their sessions, a case membership) is asked twice."""

from __future__ import annotations

import pytest

from graphapp import accounts
from graphapp.access import Actor
from tests.conftest import make_user
from tests.test_admin_pages import enrolled_admin
from tests.test_browser import ARTEFACTS, browser, serving, watch  # noqa: F401 - fixture
from tests.test_web import PASSWORD


@pytest.fixture
def admin_page(browser, settings, demo_store):  # noqa: F811 - the fixture
    make_user(settings, "ines", "investigator", {"K-2024-0113": "owner"})
    code = enrolled_admin(settings, "ada")
    with serving(settings) as base:
        page = browser.new_page()
        problems = watch(page)[1]
        page.goto(base + "/login")
        page.fill("input[name=username]", "ada")
        page.fill("input[name=password]", PASSWORD)
        page.fill("input[name=code]", code)
        page.click("main button[type=submit]")
        page.wait_for_url(base + "/")
        yield base, page
        assert problems == [], problems
        page.close()


def test_disabling_a_colleague_takes_a_second_click_that_names_them(admin_page, settings):
    base, page = admin_page
    page.goto(base + "/admin/users")
    row = page.locator("#user-ines")
    confirm = row.locator("button", has_text="Disable: ines")
    assert not confirm.is_visible()  # one click on "Disable…" only asks
    row.locator("summary", has_text="Disable…").click()
    assert confirm.is_visible()
    assert not accounts.get_user(settings, "ines").disabled
    ARTEFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "admin-confirm-disable.png"), full_page=True)
    confirm.click()
    page.wait_for_load_state()
    assert accounts.get_user(settings, "ines").disabled
    # Enabling again gives nothing away: one click.
    page.locator("#user-ines button", has_text="Enable").click()
    page.wait_for_load_state()
    assert not accounts.get_user(settings, "ines").disabled


def test_ending_a_membership_names_the_user_the_access_and_the_case(admin_page, settings):
    base, page = admin_page
    page.goto(base + "/admin/cases")
    row = page.locator("#case-K-2024-0113")
    confirm = row.locator("button", has_text="End ines's owner access to K-2024-0113")
    assert not confirm.is_visible()
    row.locator(".member", has_text="ines:owner").locator("summary").click()
    assert confirm.is_visible()
    assert Actor.from_user(settings, accounts.get_user(settings, "ines")).cases == {"K-2024-0113": "owner"}
    confirm.click()
    page.wait_for_load_state()
    assert Actor.from_user(settings, accounts.get_user(settings, "ines")).cases == {}


def test_taking_back_an_extra_action_is_asked_twice_and_granting_is_not(admin_page, settings):
    base, page = admin_page
    assert accounts.grant_action(settings, "ines", "ingest", granted_by="test")
    page.goto(base + "/admin/users")
    row = page.locator("#user-ines")
    confirm = row.locator("button", has_text="Revoke ingest: ines")
    assert not confirm.is_visible()
    row.locator(".member", has_text="+ingest").locator("summary").click()
    assert confirm.is_visible() and "ingest" in accounts.extra_actions(settings, _user_id(settings))
    confirm.click()
    page.wait_for_load_state()
    assert "ingest" not in accounts.extra_actions(settings, _user_id(settings))
    # Granting gives something: one click, from the actions ines has not got.
    page.locator("#user-ines select[name=action]").select_option("ingest")
    page.locator("#user-ines button", has_text="Grant").click()
    page.wait_for_load_state()
    assert "ingest" in accounts.extra_actions(settings, _user_id(settings))


def _user_id(settings) -> int:
    return accounts.get_user(settings, "ines").id
