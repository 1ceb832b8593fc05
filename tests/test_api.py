"""The JSON API through real HTTP (Flask's test client) against the real store and database."""

from __future__ import annotations

import dataclasses

import pytest

from graphapp import create_app
from graphapp.db import AuditRecord, session_scope
from tests.conftest import make_user


def test_health_reports_the_store(client):
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "graph": "falkordb"}


@pytest.mark.parametrize("typed", ["070 123 45 67", "+46 70 123 45 67", "0046701234567"])
def test_search_finds_a_phone_in_any_format(client, investigator, typed):
    response = client.get("/api/v1/search", query_string={"q": typed}, headers=investigator)
    assert response.status_code == 200, response.json
    phones = [r for r in response.json["results"] if r["kind"] == "phone"]
    assert phones == [{"id": "phone:+46701234567", "kind": "phone", "label": "+46701234567",
                       "cases": ["K-2024-0113", "K-2024-0287"]}]


def test_search_never_shows_a_case_the_user_is_not_member_of(client, investigator):
    # Florin Dumitru and his Romanian phone are only in K-2024-0342 and K-2025-0019.
    for q in ("Florin", "+40 744 123 987", "K-2024-0342", "Lipscani"):
        response = client.get("/api/v1/search", query_string={"q": q}, headers=investigator)
        assert response.status_code == 200
        assert response.json == {"results": []}, (q, response.json)
    # Andrei is also in the hidden K-2024-0342: only the visible case is listed.
    andrei = client.get("/api/v1/search", query_string={"q": "andrei"}, headers=investigator)
    assert [r["cases"] for r in andrei.json["results"]] == [["K-2024-0113"]], andrei.json


def test_search_needs_a_valid_token(client, settings, demo_store):
    assert client.get("/api/v1/search?q=maria").status_code == 401
    bad = client.get("/api/v1/search?q=maria", headers={"Authorization": "Bearer cgt_forged"})
    assert bad.status_code == 401
    assert bad.json["error"]["code"] == "unauthorized"


def test_search_rejects_bad_parameters(client, investigator):
    assert client.get("/api/v1/search", headers=investigator).status_code == 400
    too_long = client.get("/api/v1/search", query_string={"q": "x" * 300}, headers=investigator)
    assert too_long.status_code == 400
    assert client.get("/api/v1/search?q=a&limit=abc", headers=investigator).json["error"] == {
        "code": "bad_parameter", "message": "limit must be a whole number"}


def test_search_is_audited(client, settings, investigator):
    client.get("/api/v1/search", query_string={"q": "maria"}, headers=investigator)
    with session_scope(settings) as s:
        records = s.query(AuditRecord).filter_by(action="search").all()
        assert [(r.actor, r.outcome, r.cases) for r in records] == [
            ("ines", "ok", ["K-2024-0113", "K-2024-0287"])]


def test_security_headers(client):
    response = client.get("/health")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_store_down_answers_503_without_details(settings, store):
    down = dataclasses.replace(settings, graph_url="bolt://127.0.0.1:1",
                               graph_password="s3cret-pw", store_timeout=1)
    token = make_user(down, "ines", "investigator", {"K-2024-0113": "read"})
    client = create_app(down, {"TESTING": True}).test_client()
    response = client.get("/api/v1/search?q=maria", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 503
    assert response.json["error"]["code"] == "store_unavailable"
    assert "s3cret" not in response.get_data(as_text=True)
    assert client.get("/health").status_code == 503
