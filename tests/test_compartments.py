"""Case compartments on every read path (DESIGN.md sections 3 and 5, issue 7 item 1).

Real HTTP through Flask's test client and the real embedded store, on the four cases of
tests/fourcases.py. Each test would fail if one rule broke: an id the user may not see
answers exactly like an unknown one (IDOR) on every endpoint that takes an id; labels,
counts, search results, expansions and errors carry nothing of a hidden case.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest

from tests import fourcases
from tests.fourcases import COVERT_PHONE, HIDDEN_SPELLING, HOSTILE, PHONE, PHONE_ID, UNITS, A, B, C, R
from tests.test_web import login

four_cases = fourcases.four_cases  # the fixture
CSRF_VALUE = re.compile(r'(?<=name="csrf_token" )value="[^"]*"')

#: Things only the hidden cases (for olle: B, R, C) state.
HIDDEN_TEXT = (B, R, C, HIDDEN_SPELLING, "Ewa Covert", COVERT_PHONE, "JIT-9", "R-1", "C-4", "C-7",
               *UNITS[R], *UNITS[C], "Människohandel")


def get(client, path: str, headers, **query):
    response = client.get("/api/v1" + path, query_string=query, headers=headers)
    assert response.is_json, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response


def assert_no_hidden(text: str, where: str, allow: tuple[str, ...] = ()) -> None:
    for secret in HIDDEN_TEXT:
        if secret not in allow:
            assert secret not in text, f"{where}: {secret!r} of a hidden case leaked: {text[:3000]}"


def ids_of(client, headers, q: str, kind: str) -> list[str]:
    return [r["id"] for r in get(client, "/search", headers, q=q).json["results"] if r["kind"] == kind]


@pytest.fixture
def hidden_ids(client, four_cases) -> dict[str, str]:
    """Entity ids that only cases hidden from olle hold (found through their own members)."""
    h = four_cases.headers
    return {
        "covert phone": "phone:" + COVERT_PHONE,
        "covert person": ids_of(client, h["cora"], "Ewa", "person")[0],
        "restricted case": f"case:{R}",
        "covert case": f"case:{C}",
        "other normal case": f"case:{B}",
    }


UNKNOWN_IDS = ("phone:+46700000001", "person:0123456789abcdef0123456789abcdef", "case:K-1999-0001",
               "hotel:nowhere", "planet:x", "nonsense", "phone:")


# -- IDOR: invisible ids answer exactly like unknown ones -------------------------------------


@pytest.mark.parametrize("suffix", ["", "/network", "/network?hops=3"])
def test_api_entity_endpoints_answer_invisible_ids_like_unknown_ones(client, four_cases, hidden_ids,
                                                                     suffix):
    olle = four_cases.headers["olle"]
    answers = {}
    for entity_id in (*hidden_ids.values(), *UNKNOWN_IDS):
        path, _, query = suffix.partition("?")
        response = client.get(f"/api/v1/entities/{quote(entity_id, safe=':')}{path}",
                              query_string=query, headers=olle)
        answers[entity_id] = (response.status_code, response.get_data(as_text=True))
    assert set(answers.values()) == {(404, '{"error":{"code":"not_found","message":'
                                           '"No such entity, or not one you may see."}}\n')}, answers


def test_ui_entity_pages_answer_invisible_ids_like_unknown_ones(client, four_cases, hidden_ids):
    assert login(client, "olle").status_code == 302
    answers = {}
    for entity_id in (*hidden_ids.values(), *UNKNOWN_IDS):
        for suffix in ("", "/export.html"):
            response = client.get(f"/entities/{quote(entity_id, safe=':')}{suffix}")
            # The log-out form's CSRF token is signed with a timestamp: it may tick between pages.
            html = CSRF_VALUE.sub('value="-"', response.get_data(as_text=True))
            answers[(entity_id, suffix)] = (response.status_code, html)
    assert len(set(answers.values())) == 1, {k: v[0] for k, v in answers.items()}
    status, html = next(iter(answers.values()))
    assert status == 404 and "No such entity, or not one you may see." in html, html


def test_the_visible_ids_do_answer(client, four_cases):
    """The other side of the IDOR tests: the same user reaches what their case holds."""
    olle = four_cases.headers["olle"]
    for entity_id in (PHONE_ID, f"case:{A}"):
        assert get(client, f"/entities/{quote(entity_id)}", olle).status_code == 200
        assert get(client, f"/entities/{quote(entity_id)}/network", olle).status_code == 200


def test_the_audit_log_is_for_administrators_and_holds_no_case_content(client, four_cases):
    h = four_cases.headers
    get(client, f"/entities/{PHONE_ID}", h["olle"])
    get(client, "/hits", h["olle"], identifier=PHONE)
    for name in ("olle", "cora", "rita", "pia"):
        response = get(client, "/audit", h[name])
        assert response.status_code == 403, (name, response.json)
        assert response.json["error"]["code"] == "forbidden"
    response = get(client, "/audit", h["adam"], actor="olle", purpose="complaint review")
    assert response.status_code == 200, response.json
    records = response.json["records"]
    assert {r["action"] for r in records} >= {"view-entity", "hit", "check-hit"}, records
    text = response.get_data(as_text=True)
    for content in (A, B, R, C, PHONE, "Sara", *UNITS[B], *UNITS[R]):
        assert content not in text, (content, text)


def test_notifications_are_each_users_own(client, four_cases):
    """IDOR on notifications: listing shows one's own only; reading another's is a 404 (see
    tests/test_hits.py for marking)."""
    h = four_cases.headers
    get(client, f"/entities/{PHONE_ID}", h["olle"])
    mine = get(client, "/notifications", h["cora"]).json["notifications"]
    assert len(mine) == 1, mine
    for name in ("olle", "carl", "rita", "ines", "adam"):
        others = get(client, "/notifications", h[name])
        assert others.status_code == 200 and others.json == {"notifications": [], "unread": 0}, \
            (name, others.json)
    assert get(client, "/notifications", h["pia"]).status_code == 403


# -- labels, facts, counts and searches from visible facts only -------------------------------


def test_a_person_is_labelled_only_from_visible_facts(client, four_cases):
    """Sara Lind is one person in all four cases; the restricted case alone spells her
    'Sarah Lindh', and that spelling never reaches olle, in any response."""
    h = four_cases.headers
    assert get(client, "/search", h["olle"], q="Lindh").json["results"] == []
    results = get(client, "/search", h["olle"], q="Sara").json["results"]
    assert [(r["kind"], r["label"], r["cases"]) for r in results] == [("person", "Sara Lind", [A])], results
    sara = results[0]["id"]
    # rita sees only the restricted case: the same node, labelled by her own case's spelling.
    assert ids_of(client, h["rita"], "Lindh", "person") == [sara]
    # Words match as prefixes, so olle's spelling finds rita's record too - labelled hers.
    found = get(client, "/search", h["rita"], q="Sara Lind").json["results"]
    assert [(r["id"], r["label"]) for r in found] == [(sara, "Sarah Lindh")], found

    texts = {}
    entity = get(client, f"/entities/{quote(sara)}", h["olle"])
    assert entity.json["entity"] == {"id": sara, "kind": "person", "label": "Sara Lind", "cases": [A]}
    assert {f["case_id"] for f in entity.json["facts"]} == {A}, entity.json["facts"]
    assert [c["case_id"] for c in entity.json["cases"]] == [A], entity.json["cases"]
    texts["entity"] = entity.get_data(as_text=True)
    for hops in (1, 2, 3):
        network = get(client, f"/entities/{quote(sara)}/network", h["olle"], hops=hops)
        labels = {n["id"]: n["label"] for n in network.json["nodes"]}
        assert labels[sara] == "Sara Lind", labels
        texts[f"network {hops}"] = network.get_data(as_text=True)
    texts["phone network"] = get(client, f"/entities/{PHONE_ID}/network", h["olle"], hops=3).get_data(
        as_text=True)
    assert login(client, "olle").status_code == 302
    texts["page"] = client.get(f"/entities/{quote(sara, safe=':')}").get_data(as_text=True)
    texts["search page"] = client.get("/search", query_string={"q": "sara"}).get_data(as_text=True)
    for where, text in texts.items():
        assert_no_hidden(text, where, allow=(B, *UNITS[R]) if where in ("entity", "page") else ())


def test_expansions_stop_at_hidden_facts_and_count_visible_ones_only(client, four_cases):
    """The shared phone called the covert-only phone in C: no hop reaches it for olle."""
    olle = four_cases.headers["olle"]
    for hops in (1, 2, 3):
        body = get(client, f"/entities/{PHONE_ID}/network", olle, hops=hops, limit=500).json
        nodes = {n["id"]: n for n in body["nodes"]}
        assert "phone:" + COVERT_PHONE not in nodes, hops
        assert {e["case_id"] for e in body["edges"]} == {A}, body["edges"]
        assert all(set(n["cases"]) <= {A} for n in body["nodes"]), body["nodes"]
        assert not {f"case:{B}", f"case:{R}", f"case:{C}"} & set(nodes), nodes
        assert body["truncated"] is False
        labels = sorted(n["label"] for n in body["nodes"])
        assert HIDDEN_SPELLING not in labels and "Ewa Covert" not in labels, labels
    # The covert owner does reach it through the same phone.
    cora = get(client, f"/entities/{PHONE_ID}/network", four_cases.headers["cora"], hops=1).json
    assert "phone:" + COVERT_PHONE in {n["id"] for n in cora["nodes"]}


def test_search_results_and_their_case_counts_follow_visibility(client, four_cases):
    h = four_cases.headers
    phone = get(client, "/search", h["olle"], q="070 999 00 11").json["results"]
    assert [(r["id"], r["cases"]) for r in phone] == [(PHONE_ID, [A])], phone
    assert [(r["id"], r["cases"]) for r in get(client, "/search", h["ines"], q="+46709990011").json[
        "results"]] == [(PHONE_ID, [A, B])]
    hotel = get(client, "/search", h["olle"], q="kusten").json["results"]
    assert [(r["kind"], r["cases"]) for r in hotel] == [("hotel", [A])], hotel
    for q in ("Ewa", "+48 600 100 200", "Människohandel", R, C, "Lindh"):
        assert get(client, "/search", h["olle"], q=q).json["results"] == [], q
    # An administrator with no case sees nothing; an error message names nothing.
    assert get(client, "/search", h["adam"], q="Sara").json["results"] == []
    bad = get(client, "/search", h["olle"], q="")
    assert bad.status_code == 400 and bad.json["error"] == {"code": "bad_parameter",
                                                            "message": "q is required"}


def test_entity_facts_and_cases_list_only_visible_cases(client, four_cases):
    olle = four_cases.headers["olle"]
    body = get(client, f"/entities/{PHONE_ID}", olle).json
    assert body["entity"]["cases"] == [A], body["entity"]
    assert {f["case_id"] for f in body["facts"]} == {A}, body["facts"]
    assert [c["case_id"] for c in body["cases"]] == [A], body["cases"]
    hostile = [f["other"] for f in body["facts"] if f["other"]["kind"] == "person"]
    assert [p["label"] for p in hostile] == [HOSTILE], hostile
    assert_no_hidden(str({k: v for k, v in body.items() if k != "hits"}), "facts")


def test_saved_queries_count_visible_cases_only(client, four_cases):
    """The saved library's cross-case count: ines sees the phone in two cases, not four."""
    ines = four_cases.headers["ines"]
    response = client.post("/api/v1/queries/shared_phones/run", json={"params": {"min_cases": 2}},
                           headers=ines)
    assert response.status_code == 200, response.json
    rows = response.json["rows"]
    assert [(r[0]["id"], r[1], sorted(r[2])) for r in rows] == [(PHONE_ID, 2, [A, B])], rows
