"""The HTML pages through Flask's test client, with CSRF protection left ON (as in production).

Log-in, one-time passwords, CSRF on every form and session API call, escaping of hostile
data, security headers, and the audit records the pages leave.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import select

from graphapp import accounts
from graphapp.db import AuditRecord, session_scope
from ingest.loader import load_directory
from tests.conftest import make_user

PASSWORD = "correct horse battery staple"  # what conftest.make_user gives every user
INVESTIGATOR_CASES = {"K-2024-0113": "owner", "K-2024-0287": "read"}
_CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"')


def csrf_from(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = _CSRF.search(html)
    assert match, "no csrf_token field on the page: " + html[:500]
    return match.group(1) or match.group(2)


def login(client, name: str, password: str = PASSWORD):
    page = client.get("/login")
    assert page.status_code == 200, page.status_code
    return client.post("/login", data={"username": name, "password": password,
                                       "csrf_token": csrf_from(page.get_data(as_text=True))})


def page_token(client, path: str = "/") -> str:
    """A CSRF token taken from a page the logged-in user can open."""
    page = client.get(path)
    assert page.status_code == 200, (path, page.status_code)
    return csrf_from(page.get_data(as_text=True))


def audit_rows(settings, action: str) -> list[AuditRecord]:
    with session_scope(settings) as s:
        return list(s.scalars(select(AuditRecord).where(AuditRecord.action == action)
                              .order_by(AuditRecord.id)))


def redirects_to_login(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].split("?")[0].endswith("/login")


@pytest.fixture
def investigator(settings, demo_store, client):
    """The test client, logged in as an investigator of K-2024-0113 and K-2024-0287."""
    make_user(settings, "ines", "investigator", INVESTIGATOR_CASES)
    response = login(client, "ines")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


# -- log-in ------------------------------------------------------------------------------------


def test_pages_need_a_login_and_the_api_a_token(client, demo_store):
    for path in ("/", "/?q=andrei", "/entities/x", "/entities/phone:%2B46701234567", "/queries",
                 "/queries/shared_phones", "/entities/phone:%2B46701234567/export.html"):
        response = client.get(path)
        assert redirects_to_login(response), (path, response.status_code, response.headers.get("Location"))
    api = client.get("/api/v1/entities/phone:%2B46701234567")
    assert api.status_code == 401, api.data
    assert api.json["error"]["code"] == "unauthorized", api.json
    run = client.post("/api/v1/queries/shared_phones/run", json={"params": {}})
    assert run.status_code == 401, run.data


def test_wrong_password_is_refused_and_audited(client, settings, demo_store):
    make_user(settings, "ines", "investigator", INVESTIGATOR_CASES)
    response = login(client, "ines", "not the password at all")
    assert response.status_code == 401, response.status_code
    assert "wrong password" in response.get_data(as_text=True), response.get_data(as_text=True)[:500]
    assert redirects_to_login(client.get("/")), "a failed log-in left a session"
    failures = audit_rows(settings, "login")
    assert [(r.actor, r.outcome) for r in failures] == [("ines", "failure")], failures

    ok = login(client, "ines")
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/"), ok.headers.get("Location")
    assert client.get("/").status_code == 200
    assert [(r.actor, r.outcome) for r in audit_rows(settings, "login")] == [
        ("ines", "failure"), ("ines", "ok")]


def test_a_one_time_password_must_be_replaced_first(client, settings, demo_store):
    one_time = accounts.add_user(settings, "olle", "investigator")
    accounts.grant_case(settings, "olle", "K-2024-0113", "read", granted_by="test")
    response = login(client, "olle", one_time)
    assert response.status_code == 302 and response.headers["Location"].endswith("/account/password"), \
        response.headers.get("Location")
    for path in ("/", "/?q=andrei", "/entities/phone:%2B46701234567", "/queries", "/queries/shared_phones"):
        blocked = client.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"].endswith("/account/password"), \
            (path, blocked.status_code, blocked.headers.get("Location"))
    api = client.get("/api/v1/search?q=andrei")
    assert api.status_code == 403 and api.json["error"]["code"] == "password_change_required", api.data

    form = client.get("/account/password")
    assert form.status_code == 200
    token = csrf_from(form.get_data(as_text=True))
    short = client.post("/account/password", data={"current": one_time, "new": "short", "confirm": "short",
                                                    "csrf_token": token})
    assert short.status_code in (200, 400, 422), short.status_code
    assert '<p class="flash error">Field must be between 12' in short.get_data(as_text=True), \
        short.get_data(as_text=True)[-1200:]
    assert client.get("/").headers.get("Location", "").endswith("/account/password"), "short one accepted"
    new = "a much longer passphrase"
    wrong = client.post("/account/password", data={"current": "not it at all", "new": new, "confirm": new,
                                                   "csrf_token": token})
    assert wrong.status_code == 400, wrong.status_code
    assert accounts.authenticate(settings, "olle", new) is None, "changed without the current password"

    done = client.post("/account/password", data={"current": one_time, "new": new, "confirm": new,
                                                   "csrf_token": token})
    assert done.status_code == 302, done.get_data(as_text=True)[:500]
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/search?q=andrei").status_code == 200
    assert accounts.authenticate(settings, "olle", new) is not None
    assert accounts.authenticate(settings, "olle", one_time) is None


# -- CSRF ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "forged-token", "IjAxMjM0NTY3ODkwYWJjZGVmIg.Zx.forged"])
def test_login_without_a_valid_csrf_token_is_refused(client, settings, demo_store, token):
    make_user(settings, "ines", "investigator", INVESTIGATOR_CASES)
    client.get("/login")
    data = {"username": "ines", "password": PASSWORD}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/login", data=data)
    assert response.status_code == 400, response.status_code
    assert redirects_to_login(client.get("/")), "logged in without a CSRF token"
    assert audit_rows(settings, "login") == []


@pytest.mark.parametrize("token", [None, "forged-token"])
def test_logout_and_query_forms_need_the_csrf_token(investigator, settings, token):
    data = {} if token is None else {"csrf_token": token}
    logout = investigator.post("/logout", data=data)
    assert logout.status_code == 400, logout.status_code
    assert investigator.get("/").status_code == 200, "a forged log-out ended the session"
    assert audit_rows(settings, "logout") == []

    run = investigator.post("/queries/shared_phones", data={**data, "min_cases": "1"})
    assert run.status_code == 400, run.status_code
    assert "+46701234567" not in run.get_data(as_text=True)
    assert audit_rows(settings, "run-query") == []


def test_session_api_calls_that_change_state_need_the_csrf_header(investigator, settings):
    body = {"params": {"min_cases": 2}}
    missing = investigator.post("/api/v1/queries/shared_phones/run", json=body)
    assert missing.status_code == 400, missing.data
    assert missing.json["error"]["code"] == "csrf_failed", missing.json
    forged = investigator.post("/api/v1/queries/shared_phones/run", json=body,
                               headers={"X-CSRFToken": "forged"})
    assert forged.status_code == 400 and forged.json["error"]["code"] == "csrf_failed", forged.json
    assert audit_rows(settings, "run-query") == []

    token = page_token(investigator, "/queries")
    ok = investigator.post("/api/v1/queries/shared_phones/run", json=body, headers={"X-CSRFToken": token})
    assert ok.status_code == 200, ok.json
    phones = [row[0]["id"] for row in ok.json["rows"]]
    assert "phone:+46701234567" in phones, ok.json
    assert len(audit_rows(settings, "run-query")) == 1


def test_the_query_form_runs_with_its_token(investigator, settings):
    page = investigator.get("/queries/shared_phones")
    assert page.status_code == 200
    result = investigator.post("/queries/shared_phones", data={
        "min_cases": "2", "csrf_token": csrf_from(page.get_data(as_text=True))})
    assert result.status_code == 200, result.status_code
    html = result.get_data(as_text=True)
    assert "phone:+46701234567" in html, html[-2000:]
    assert "K-2024-0342" not in html, "a hidden case leaked into the result page"
    assert [r.detail["query"] for r in audit_rows(settings, "run-query")] == ["shared_phones"]


# -- log-out ------------------------------------------------------------------------------------


def test_logout_ends_the_session(investigator, settings):
    token = page_token(investigator)
    response = investigator.post("/logout", data={"csrf_token": token})
    assert redirects_to_login(response), (response.status_code, response.headers.get("Location"))
    assert redirects_to_login(investigator.get("/")), "still logged in after log-out"
    assert investigator.get("/api/v1/search?q=andrei").status_code == 401
    assert [r.actor for r in audit_rows(settings, "logout")] == ["ines"]


# -- escaping, headers, audit --------------------------------------------------------------------

SCRIPT_NAME = "<script>alert(1)</script>"
IMG_HOTEL = '"><img src=x onerror=alert(1)>'


@pytest.fixture
def hostile(tmp_path: Path, demo_store, settings):
    d = tmp_path / "hostile"
    d.mkdir()
    with (d / "persons.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["case_id", "person_ref", "name", "role", "source"],
                                  ["K-2024-0113", "H1", SCRIPT_NAME, "other", "<b>SRC-1</b>"]])
    with (d / "hotels.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows([["case_id", "hotel_name", "city", "country", "source"],
                                  ["K-2024-0113", IMG_HOTEL, "alertstad", "SE", "SRC-2"]])
    result = load_directory(d, demo_store, settings)
    assert result.ok, [str(p) for p in result.problems]
    return demo_store


def assert_escaped(html: str, where: str) -> None:
    assert "<script>alert" not in html, where + ": raw <script> from the data"
    assert "<img src=x" not in html and "<img" not in html, where + ": raw <img> from the data"
    assert "<b>SRC" not in html, where + ": raw markup from a source field"


def test_hostile_names_are_escaped_in_search_and_entity_pages(investigator, hostile):
    page = investigator.get("/", query_string={"q": "alert"})
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert_escaped(html, "search")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, html[-3000:]
    assert "&lt;img src=x onerror=alert(1)&gt;" in html, html[-3000:]

    results = investigator.get("/api/v1/search?q=alert").json["results"]
    assert sorted(r["kind"] for r in results) == ["hotel", "person"], results
    for r in results:
        entity = investigator.get("/entities/" + quote(r["id"], safe=":"))
        assert entity.status_code == 200, (r, entity.status_code)
        html = entity.get_data(as_text=True)
        assert_escaped(html, r["id"])
        expected = "&lt;script&gt;alert(1)&lt;/script&gt;" if r["kind"] == "person" else "&lt;img src=x"
        assert expected in html, (r, html[:3000])
    person = next(r for r in results if r["kind"] == "person")
    html = investigator.get("/entities/" + quote(person["id"], safe=":")).get_data(as_text=True)
    assert "&lt;b&gt;SRC-1&lt;/b&gt;" in html, "the fact's source should be shown, escaped"


SCRIPT_TAG = re.compile(r"<script\b([^>]*)>", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.IGNORECASE)


def check_headers_and_scripts(response, path: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = dict((d.strip().split(" ", 1) + [""])[:2] for d in csp.split(";") if d.strip())
    script_src = directives.get("script-src", directives.get("default-src", ""))
    assert script_src and "'unsafe-inline'" not in script_src and "*" not in script_src, (path, csp)
    assert "'unsafe-inline'" not in directives.get("default-src", ""), (path, csp)
    assert response.headers.get("Referrer-Policy") == "no-referrer", (path, dict(response.headers))
    assert response.headers.get("X-Frame-Options") == "DENY", (path, dict(response.headers))
    assert response.headers.get("X-Content-Type-Options") == "nosniff", (path, dict(response.headers))
    html = response.get_data(as_text=True)
    for attrs in SCRIPT_TAG.findall(html):
        assert re.search(r"\bsrc\s*=", attrs), (path, "inline <script> block", attrs)
    assert not INLINE_HANDLER.search(html), (path, INLINE_HANDLER.search(html).group(0))


def test_pages_send_security_headers_and_no_inline_script(client, settings, demo_store):
    anonymous = client.get("/login")
    check_headers_and_scripts(anonymous, "/login")
    make_user(settings, "ines", "investigator", INVESTIGATOR_CASES)
    login(client, "ines")
    token = page_token(client, "/queries/shared_phones")
    pages = {path: client.get(path) for path in (
        "/", "/?q=andrei", "/?q=070 123 45 67", "/entities/phone:%2B46701234567",
        "/entities/case:K-2024-0113?hops=3", "/queries", "/queries/shared_phones",
        "/entities/phone:%2B40744123987", "/no/such/page")}
    pages["POST /queries/shared_phones"] = client.post("/queries/shared_phones",
                                                      data={"min_cases": "2", "csrf_token": token})
    statuses = {path: r.status_code for path, r in pages.items()}
    assert statuses == {**{p: 200 for p in pages}, "/entities/phone:%2B40744123987": 404,
                        "/no/such/page": 404}, statuses
    for path, response in pages.items():
        assert response.mimetype == "text/html", (path, response.mimetype)
        check_headers_and_scripts(response, path)
    entity = pages["/entities/phone:%2B46701234567"].get_data(as_text=True)
    scripts = [re.search(r'src="([^"]+)"', a).group(1) for a in SCRIPT_TAG.findall(entity)]
    assert scripts and all(s.startswith("/") for s in scripts), scripts  # served by the app, no CDN
    for src in scripts:
        assert client.get(src).status_code == 200, src


def test_viewing_an_entity_page_is_audited_with_visible_cases_only(investigator, settings):
    response = investigator.get("/entities/phone:%2B46701234567")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "K-2024-0342" not in html, "a hidden case leaked into the entity page"
    records = audit_rows(settings, "view-entity")
    assert [(r.actor, r.outcome, r.cases) for r in records] == [
        ("ines", "ok", ["K-2024-0113", "K-2024-0287"])], [(r.actor, r.cases) for r in records]
    entity = records[0].detail.get("entity")
    assert entity in ("phone:+46701234567", "phone:%2B46701234567"), records[0].detail


def test_the_search_page_lists_a_case_with_its_title(investigator):
    html = investigator.get("/?q=0287").get_data(as_text=True)
    assert re.search(r'K-2024-0287</a>\s*<span class="title">Köp av sexuell tjänst, '
                     r'insatsvecka Helsingborg</span>', html), html[-3000:]


def test_a_page_says_when_it_replaced_a_bad_number(investigator):
    """A detector's threshold that is not a whole number, or out of range, is replaced and the
    page says so (it used to show the default's findings without a word)."""
    page = investigator.get("/detectors/phone-adverts-cities?threshold=abc")
    assert page.status_code == 200
    assert "threshold must be a whole number from 2 to 100: showing 2." in page.get_data(as_text=True)
    page = investigator.get("/detectors/phone-adverts-cities?threshold=1")
    assert "threshold must be from 2 to 100: showing 2." in page.get_data(as_text=True)
    page = investigator.get("/detectors/phone-adverts-cities?threshold=3")
    assert "must be" not in page.get_data(as_text=True)
