"""Output safety (DESIGN.md section 5 "Output", issue 7 item 3), through Flask's test client.

Everything data-supplied is escaped on every page that shows it; every response carries a
strict Content-Security-Policy (no inline script, ``frame-ancestors 'none'``), nosniff and
``Referrer-Policy: no-referrer``; errors are JSON ``{"error": {"code", "message"}}`` under
``/api`` and never carry a stack trace or a driver's message; an oversized request is a 413.
The browser half (no script runs in Chromium) is tests/test_browser_safety.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote

import pytest

from graphapp.services import graph
from graphapp.store import StoreError, StoreUnavailable
from tests import fourcases
from tests.fourcases import HOSTILE, PHONE_ID, A
from tests.test_web import SCRIPT_TAG, check_headers_and_scripts, csrf_from, login

four_cases = fourcases.four_cases  # the fixture

TEMPLATES = Path(__file__).resolve().parents[1] / "graphapp" / "templates"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
#: The standalone export runs inline script by design, inside its own sandboxing CSP.
SANDBOXED_TEMPLATES = {"export_network.html"}


def directives(response) -> dict[str, str]:
    csp = response.headers.get("Content-Security-Policy", "")
    return {d.strip().split(" ", 1)[0]: (d.strip().split(" ", 1) + [""])[1]
            for d in csp.split(";") if d.strip()}


def assert_safe_headers(response, where: str) -> None:
    d = directives(response)
    assert d.get("frame-ancestors") == "'none'", (where, d)
    assert d.get("object-src") == "'none'" and d.get("base-uri") == "'none'", (where, d)
    for name in ("default-src", "script-src", "style-src"):
        assert "'unsafe-inline'" not in d.get(name, "") and "*" not in d.get(name, ""), (where, d)
    assert response.headers["X-Content-Type-Options"] == "nosniff", where
    assert response.headers["Referrer-Policy"] == "no-referrer", where
    assert response.headers["X-Frame-Options"] == "DENY", where


def assert_no_raw_markup(html: str, where: str) -> None:
    assert "<img" not in html, f"{where}: raw <img> from the data"
    assert "onerror=alert" not in html.replace(ESCAPED, ""), f"{where}: unescaped handler"


@pytest.fixture
def looked(client, four_cases):
    """olle has opened the hostile person (so cora, the covert owner, has a notification)."""
    olle = four_cases.headers["olle"]
    results = client.get("/api/v1/search", query_string={"q": "img"}, headers=olle).json["results"]
    person = next(r["id"] for r in results if r["kind"] == "person")
    assert client.get(f"/api/v1/entities/{quote(person)}", headers=olle).status_code == 200
    return person


# -- escaping on every page that shows names -------------------------------------------------


def test_a_hostile_name_is_text_on_every_page_that_shows_names(client, four_cases, looked):
    assert login(client, "olle").status_code == 302
    pages = {
        "search": client.get("/search", query_string={"q": "img"}),
        "entity": client.get(f"/entities/{quote(looked, safe=':')}"),
        "phone entity": client.get(f"/entities/{quote(PHONE_ID, safe=':')}"),
        "export": client.get(f"/entities/{quote(looked, safe=':')}/export.html"),
    }
    client.post("/logout", data={"csrf_token": csrf_from(pages["search"].get_data(as_text=True))})
    assert login(client, "cora").status_code == 302
    pages["notifications"] = client.get("/notifications")
    for where, response in pages.items():
        assert response.status_code == 200, (where, response.status_code)
        html = response.get_data(as_text=True)
        if where == "export":  # the data travels as JSON with <, > and & escaped
            body = html[:html.index('<script type="application/json"')]
            assert ESCAPED in body and "<img" not in body, body[-2000:]
            data = html[html.index('id="network-data">'):]
            data = data[:data.index("</script>")]
            assert "\\u003cimg src=x onerror=alert(1)\\u003e" in data and "<img" not in data, data
            continue
        assert ESCAPED in html, (where, html[-3000:])
        assert_no_raw_markup(html, where)


def test_json_carries_names_as_data_with_nosniff(client, four_cases, looked):
    response = client.get(f"/api/v1/entities/{quote(looked)}/network",
                          headers=four_cases.headers["olle"])
    assert response.mimetype == "application/json"
    assert HOSTILE in {n["label"] for n in response.json["nodes"]}
    assert_safe_headers(response, "network JSON")


def test_templates_have_no_inline_script_style_or_unescaped_output():
    """Autoescaping stays on: no template turns it off or marks data safe, and the app's pages
    hold no inline script, handler or style attribute (the export alone, sandboxed)."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        where = str(path.relative_to(TEMPLATES))
        assert "autoescape false" not in text and "Markup(" not in text, where
        if path.name in SANDBOXED_TEMPLATES:
            continue
        assert "|safe" not in text.replace(" ", ""), where
        for attrs in SCRIPT_TAG.findall(text):
            assert "src=" in attrs, (where, "inline <script>", attrs)
        assert not re.search(r"\son[a-z]+\s*=", text), (where, "inline event handler")
        assert not re.search(r"\sstyle\s*=", text) and "<style" not in text, (where, "inline style")


def test_autoescaping_is_on(app):
    assert app.jinja_env.autoescape("page.html") is True
    assert app.jinja_env.is_async is False


# -- headers on every page ------------------------------------------------------------------------


def test_every_page_and_answer_sends_the_security_headers(client, four_cases, looked):
    h = four_cases.headers
    responses = {"login": client.get("/login"), "health": client.get("/health"),
                 "static": client.get("/static/css/app.css"),
                 "vendor": client.get("/vendor/vis-network/vis-network.min.js"),
                 "api entity": client.get(f"/api/v1/entities/{PHONE_ID}", headers=h["olle"]),
                 "api hits": client.get("/api/v1/hits?identifier=0709990011", headers=h["olle"]),
                 "api 404": client.get("/api/v1/entities/phone:+1", headers=h["olle"]),
                 "api 401": client.get("/api/v1/search?q=x")}
    assert login(client, "cora").status_code == 302
    for path in ("/", "/search?q=sara", f"/entities/{quote(PHONE_ID, safe=':')}", "/hits",
                 "/hits?identifier=070+999+00+11", "/notifications", "/queries",
                 "/queries/shared_phones", "/entities/phone:%2B1", "/no/such/page"):
        response = client.get(path)
        responses[path] = response
        if response.mimetype == "text/html":
            check_headers_and_scripts(response, path)
    assert responses["/notifications"].status_code == 200
    for where, response in responses.items():
        assert_safe_headers(response, where)


# -- errors: JSON, the right status, nothing internal -----------------------------------------


def test_api_errors_are_json_with_the_right_status(client, four_cases):
    olle = four_cases.headers["olle"]
    cases = {
        "400": client.get("/api/v1/entities/phone:%2B46709990011/network?hops=9", headers=olle),
        "401": client.get("/api/v1/entities/phone:%2B46709990011"),
        "403": client.get("/api/v1/audit", headers=olle),
        "404": client.get("/api/v1/nothing/here", headers=olle),
        "405": client.delete("/api/v1/search", headers=olle),
    }
    for status, response in cases.items():
        assert str(response.status_code) == status, (status, response.status_code, response.data)
        assert response.is_json and set(response.json) == {"error"}, (status, response.data)
        assert set(response.json["error"]) == {"code", "message"}, response.json


@pytest.mark.parametrize("error, status, code", [
    (RuntimeError("Traceback: redis.exceptions.ResponseError at /srv/secret.sock"), 500, "internal_error"),
    (StoreError("errMsg: Invalid input 'K-2030-0004' at /srv/casegraph/data"), 500, "internal_error"),
    (StoreUnavailable("Error 111 connecting to unix:/srv/casegraph/redis.sock"), 503, "store_unavailable"),
])
def test_no_stack_trace_or_driver_error_reaches_a_client(client, four_cases, monkeypatch, error, status,
                                                         code):
    def boom(*args, **kwargs):
        raise error

    monkeypatch.setattr(graph, "entity", boom)
    api = client.get(f"/api/v1/entities/{PHONE_ID}", headers=four_cases.headers["olle"])
    assert api.status_code == status and api.json["error"]["code"] == code, api.data
    assert login(client, "olle").status_code == 302
    page = client.get(f"/entities/{quote(PHONE_ID, safe=':')}")
    assert page.status_code == status, page.status_code
    for response in (api, page):
        text = response.get_data(as_text=True)
        for secret in ("Traceback", "redis", "/srv/", "errMsg", "K-2030-0004", "File \""):
            assert secret not in text, (secret, text[:1000])


# -- request size ---------------------------------------------------------------------------------


def test_an_oversized_request_is_a_413(client, app, four_cases):
    olle = four_cases.headers["olle"]
    limit = app.config["MAX_CONTENT_LENGTH"]
    big = b"{" + b" " * limit + b"}"
    for method, path in (("POST", "/api/v1/queries/shared_phones/run"), ("GET", "/api/v1/search?q=a"),
                         ("POST", "/api/v1/notifications/1/read")):
        response = client.open(path, method=method, data=big, headers={
            **olle, "Content-Type": "application/json"})
        assert response.status_code == 413, (path, response.status_code)
        assert response.json["error"]["code"] == "request_entity_too_large", response.json
        assert_safe_headers(response, path)
    page = client.post("/login", data=big, content_type="application/x-www-form-urlencoded")
    assert page.status_code == 413 and page.mimetype == "text/html", page.status_code
    # Just under the limit is not refused for its size.
    ok = client.post("/api/v1/queries/shared_phones/run", headers=olle,
                     json={"params": {"min_cases": 2}, "pad": "x" * (limit // 2)})
    assert ok.status_code == 200, ok.json


def test_an_oversized_chunked_request_is_a_413(client, app, four_cases):
    """A chunked body has no Content-Length, so the before-request check cannot see its size;
    Werkzeug still stops reading it at MAX_CONTENT_LENGTH and answers 413. (A server that hands
    the app a chunked body marks the input terminated, as Werkzeug's and gunicorn's do.)"""
    import io

    limit = app.config["MAX_CONTENT_LENGTH"]
    big = b'{"params": {"min_cases": 2}, "pad": "' + b"x" * limit + b'"}'
    response = client.post("/api/v1/queries/shared_phones/run", input_stream=io.BytesIO(big),
                           headers={**four_cases.headers["olle"], "Content-Type": "application/json",
                                    "Transfer-Encoding": "chunked"},
                           environ_overrides={"wsgi.input_terminated": True})
    assert response.status_code == 413, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.json["error"]["code"] == "request_entity_too_large", response.json
    page = client.post("/login", input_stream=io.BytesIO(b"username=" + b"x" * limit),
                       headers={"Content-Type": "application/x-www-form-urlencoded",
                                "Transfer-Encoding": "chunked"},
                       environ_overrides={"wsgi.input_terminated": True})
    assert page.status_code == 413, page.status_code  # not a CSRF refusal of a cut form
    small = b'{"params": {"min_cases": 2}}'
    ok = client.post("/api/v1/queries/shared_phones/run", input_stream=io.BytesIO(small),
                     headers={**four_cases.headers["olle"], "Content-Type": "application/json",
                              "Transfer-Encoding": "chunked"},
                     environ_overrides={"wsgi.input_terminated": True})
    assert ok.status_code == 200, ok.json


def test_ids_in_pages_sit_in_quoted_attributes_and_lead_back_to_their_entity(client, four_cases):
    assert login(client, "olle").status_code == 302
    html = client.get(f"/entities/case:{A}").get_data(as_text=True)
    case_url = re.search(r'data-url="([^"]+)"', html).group(1)
    assert case_url.startswith("/api/v1/entities/case:K-2030-0001/network?hops=2&"), case_url
    phone = client.get(f"/entities/{quote(PHONE_ID, safe=':')}").get_data(as_text=True)
    url = re.search(r'data-url="([^"]+)"', phone).group(1)
    assert client.get(url).json["nodes"][0]["id"] == PHONE_ID, url  # a '+' in a path stays a '+'
