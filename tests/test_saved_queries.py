"""The saved query library: visible cases only, server-bound parameters, read-only, redacted.

The demo phone +46701234567 is in K-2024-0113, K-2024-0287 and K-2024-0342; +40744123987 only
in K-2024-0342 and K-2025-0019. The investigator sees 0113 and 0287, the analyst 0113 and 0342.
"""

from __future__ import annotations

import dataclasses
import json
import shutil

import pytest

from graphapp.access import Actor
from graphapp.services import saved_queries as saved
from graphapp.settings import PROJECT_ROOT
from graphapp.store import Node, Relationship, StoreError, open_store
from graphapp.store import Path as GraphPath
from graphapp.store.queries import parse_query_file
from graphapp.store.types import scope_value
from tests.conftest import ANALYST_CASES, INVESTIGATOR_CASES, bearer, make_user

SHARED = "phone:+46701234567"
SAVED_DIR = PROJECT_ROOT / "cypher" / "saved"


def run(client, headers, params, name: str = "shared_phones"):
    return client.post(f"/api/v1/queries/{name}/run", json={"params": params}, headers=headers)


def rows_by_phone(body: dict) -> dict[str, dict]:
    assert body["columns"] == ["phone", "case_count", "cases"], body
    return {row[0]["id"]: dict(zip(body["columns"], row, strict=True)) for row in body["rows"]}


# -- the library and a run ----------------------------------------------------------------------


def test_the_library_lists_shared_phones_without_server_parameters(client, investigator):
    response = client.get("/api/v1/queries", headers=investigator)
    assert response.status_code == 200, response.json
    queries = {q["name"]: q for q in response.json["queries"]}
    assert "shared_phones" in queries, queries
    q = queries["shared_phones"]
    assert q["title"] and q["description"], q
    assert [(p["name"], p["type"], p["default"]) for p in q["parameters"]] == [("min_cases", "int", 2)], q
    assert "allowed_cases" not in response.get_data(as_text=True), response.json
    assert "row_limit" not in response.get_data(as_text=True), response.json


def test_shared_phones_counts_only_the_callers_visible_cases(client, investigator, analyst):
    mine = run(client, investigator, {"min_cases": 2})
    assert mine.status_code == 200, mine.json
    phones = rows_by_phone(mine.json)
    assert SHARED in phones, mine.json
    assert phones[SHARED]["case_count"] == 2, phones[SHARED]
    assert sorted(phones[SHARED]["cases"]) == ["K-2024-0113", "K-2024-0287"], phones[SHARED]
    assert all(r["case_count"] >= 2 for r in phones.values()), phones
    assert mine.json["truncated"] is False, mine.json
    text = mine.get_data(as_text=True)
    assert "K-2024-0342" not in text and "+40744123987" not in text, text

    theirs = rows_by_phone(run(client, analyst, {"min_cases": 2}).json)
    assert theirs[SHARED]["case_count"] == 2, theirs
    assert sorted(theirs[SHARED]["cases"]) == ["K-2024-0113", "K-2024-0342"], theirs[SHARED]
    # +40744123987 is in two cases, but the analyst sees only one of them.
    assert "phone:+40744123987" not in theirs, theirs
    one = rows_by_phone(run(client, analyst, {"min_cases": 1}).json)
    assert one["phone:+40744123987"]["case_count"] == 1, one
    assert one["phone:+40744123987"]["cases"] == ["K-2024-0342"], one
    for row in one.values():
        assert set(row["cases"]) <= set(ANALYST_CASES), row


def test_the_default_parameter_is_used_when_none_is_given(client, investigator):
    default = run(client, investigator, {})
    assert default.status_code == 200, default.json
    assert rows_by_phone(default.json) == rows_by_phone(run(client, investigator, {"min_cases": 2}).json)
    as_text = run(client, investigator, {"min_cases": "2"})  # form values come as text
    assert as_text.status_code == 200, as_text.json


@pytest.mark.parametrize("params", [
    {"bogus": 1},
    {"min_cases": "two"},
    {"min_cases": True},
    {"min_cases": [2]},
    {"min_cases": {"gt": 1}},
    {"allowed_cases": ["K-2024-0342", "K-2025-0019"]},
    {"min_cases": 1, "allowed_cases": ["K-2024-0342"]},
    {"row_limit": 100000},
    {"min_cases": 1, "row_limit": 1},
])
def test_bad_or_server_owned_parameters_are_refused(client, investigator, settings, params):
    response = run(client, investigator, params)
    assert response.status_code == 400, (params, response.status_code, response.data)
    assert response.json["error"]["code"] == "bad_parameter", response.json
    text = response.get_data(as_text=True)
    assert "K-2024-0342" not in text and "+40744123987" not in text, text


def test_a_fractional_integer_parameter_is_refused(client, investigator):
    response = run(client, investigator, {"min_cases": 2.5})
    assert response.status_code == 400, response.data


def test_params_must_be_an_object(client, investigator):
    for body in ({"params": ["min_cases", 2]}, {"params": "min_cases=2"}):
        response = client.post("/api/v1/queries/shared_phones/run", json=body, headers=investigator)
        assert response.status_code == 400, (body, response.data)


def test_unknown_query_is_404(client, investigator):
    response = run(client, investigator, {}, name="no_such_query")
    assert response.status_code == 404, response.data
    assert response.json["error"]["code"] == "not_found", response.json


def test_server_binds_allowed_cases_whatever_the_request_says(demo_store):
    """Service level: the request cannot name the cases; the actor's memberships are bound."""
    ines = Actor(name="ines", role="investigator", cases=dict(INVESTIGATOR_CASES))
    for raw in ({"allowed_cases": ["K-2024-0342"]}, {"row_limit": 5}):
        with pytest.raises(saved.BadParameters):
            saved.run(demo_store, ines, "shared_phones", raw)
    result = saved.run(demo_store, ines, "shared_phones", {"min_cases": 1})
    cases = {c for row in result["rows"] for c in row[2]}
    assert cases == {"K-2024-0113", "K-2024-0287"}, result
    nobody = Actor(name="adam", role="admin", cases={})
    with pytest.raises(Exception) as refused:
        saved.run(demo_store, nobody, "shared_phones", {"min_cases": 1})
    assert type(refused.value).__name__ == "Forbidden", refused.value


def test_a_prosecutor_cannot_run_saved_queries(client, settings, demo_store):
    headers = bearer(make_user(settings, "pia", "prosecutor", INVESTIGATOR_CASES))
    assert client.get("/api/v1/queries", headers=headers).status_code == 403
    response = run(client, headers, {"min_cases": 1})
    assert response.status_code == 403, response.data
    assert "+46701234567" not in response.get_data(as_text=True)


# -- read-only and redaction with queries of our own -------------------------------------------

EVIL = """\
// name: evil
// title: Evil
// description: Looks like a read, writes.
// action: run-saved-query
// result: table
// params:
//   allowed_cases: list<string>
//   row_limit: int
MATCH (c:Case) WHERE c.case_id IN $allowed_cases SET c.title = 'x' RETURN c LIMIT $row_limit
"""

LEAKY = """\
// name: leaky
// title: Leaky
// action: run-saved-query
// result: table
// description: >-
//   Filters only its first case; returns the other side unfiltered (the phone too: the store
//   needs a relationship's endpoints in the same row).
// params:
//   allowed_cases: list<string>
//   row_limit: int
MATCH (c:Case)-[m:MENTIONS]->(p:Phone)<-[m2:MENTIONS]-(c2:Case)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
RETURN m2, c2, p
LIMIT $row_limit
"""


@pytest.fixture
def own_queries(tmp_path, settings, demo_store):
    """A store on a copy of cypher/ with saved/evil.cypher and saved/leaky.cypher added.

    get_store caches by (graph_url, data_dir, graph_name), not by cypher_dir, so this opens a
    second client of the same server directly; closing it leaves the session's client running.
    """
    cypher = tmp_path / "cypher"
    shutil.copytree(PROJECT_ROOT / "cypher", cypher)
    (cypher / "saved" / "evil.cypher").write_text(EVIL, encoding="utf-8")
    (cypher / "saved" / "leaky.cypher").write_text(LEAKY, encoding="utf-8")
    store = open_store(dataclasses.replace(settings, cypher_dir=cypher))
    yield store
    store.close()
    demo_store.ping()  # the session's own client still works


def case_titles(store) -> dict[str, str]:
    rows = store.read("views/cases", {"case_ids": ["K-2024-0113", "K-2024-0287", "K-2024-0342",
                                                   "K-2025-0019"]},
                      allowed_cases=["K-2024-0113", "K-2024-0287", "K-2024-0342", "K-2025-0019"])
    return {r["node"].key: r["node"].properties["title"] for r in rows}


def test_a_write_hidden_in_a_saved_query_is_refused(own_queries, demo_store):
    before = case_titles(demo_store)
    assert len(before) == 4 and "x" not in before.values(), before
    ines = Actor(name="ines", role="investigator", cases=dict(INVESTIGATOR_CASES))
    assert "evil" in [q.name for q in saved.available(own_queries, ines)]
    with pytest.raises(StoreError) as refused:
        saved.run(own_queries, ines, "evil", {})
    # Refused by the store's read-only mode, not for some other reason (missing file, store down).
    assert type(refused.value) is StoreError and "read" in str(refused.value).lower(), refused.value
    assert case_titles(demo_store) == before


def test_results_are_redacted_again_after_a_leaky_query(own_queries):
    ines = Actor(name="ines", role="investigator", cases=dict(INVESTIGATOR_CASES))
    result = saved.run(own_queries, ines, "leaky", {})
    assert result["columns"] == ["m2", "c2", "p"], result
    rows = result["rows"]
    redacted = [r for r in rows if r[:2] == [None, None]]
    shown = [r for r in rows if r[:2] != [None, None]]
    # Only +46701234567 is also mentioned by a hidden case (K-2024-0342): those rows are redacted.
    assert redacted and {r[2]["id"] for r in redacted} == {SHARED}, rows
    assert shown and all(None not in r for r in shown), rows
    for m2, c2, _ in shown:
        assert m2["case_id"] in INVESTIGATOR_CASES and c2["id"][len("case:"):] in INVESTIGATOR_CASES, (m2, c2)
    text = json.dumps(result)
    assert "K-2024-0342" not in text and "K-2025-0019" not in text, text

    anna = Actor(name="anna", role="analyst", cases=dict(ANALYST_CASES))
    theirs = saved.run(own_queries, anna, "leaky", {})["rows"]
    assert {c2["id"] for _, c2, _ in theirs if c2} >= {"case:K-2024-0342"}, theirs
    assert "K-2024-0287" not in json.dumps(theirs), theirs


def node(kind: str, key: str, cases: set[str]) -> Node:
    return Node(id=f"{kind}:{key}", kind=kind, key=key, properties={}, visible_cases=frozenset(cases))


def rel(rtype: str, start: Node, end: Node, case_id: str, **props) -> Relationship:
    return Relationship(id=f"r-{rtype}-{case_id}-{start.key}-{end.key}", type=rtype, start=start.id,
                        end=end.id, properties={"case_id": case_id, "source": "S", **props})


def test_scope_value_redacts_what_the_caller_may_not_see():
    allowed = frozenset({"K-A"})
    phone = node("phone", "+46700000001", {"K-A", "K-B"})
    hidden_phone = node("phone", "+46700000002", {"K-B"})
    case_a, case_b = node("case", "K-A", {"K-A"}), node("case", "K-B", {"K-B"})
    seen = rel("MENTIONS", case_a, phone, "K-A")
    unseen = rel("MENTIONS", case_b, phone, "K-B")
    p1, p2 = node("person", "p1", {"K-A"}), node("person", "p2", {"K-A", "K-B"})
    half_suggestion = rel("MAYBE_SAME_AS", p1, p2, "K-A", other_case_id="K-B")
    full_suggestion = rel("MAYBE_SAME_AS", p1, p2, "K-A", other_case_id="K-A")

    kept = scope_value(phone, allowed)
    assert kept == phone and kept.visible_cases == frozenset({"K-A"}), kept
    assert scope_value(hidden_phone, allowed) is None
    assert scope_value(case_b, allowed) is None
    assert scope_value(seen, allowed) == seen
    assert scope_value(unseen, allowed) is None
    assert scope_value(half_suggestion, allowed) is None
    assert scope_value(full_suggestion, allowed) == full_suggestion
    assert scope_value(GraphPath(nodes=(case_a, phone), relationships=(seen,)), allowed) is not None
    assert scope_value(GraphPath(nodes=(case_b, phone), relationships=(unseen,)), allowed) is None
    mixed = GraphPath(nodes=(case_a, phone, case_b), relationships=(seen, unseen))
    assert scope_value(mixed, allowed) is None
    nested = scope_value({"rows": [phone, hidden_phone, {"r": unseen, "n": 3, "s": "K-B"}]}, allowed)
    assert nested["rows"][1] is None and nested["rows"][2] == {"r": None, "n": 3, "s": "K-B"}, nested
    assert nested["rows"][0].visible_cases == frozenset({"K-A"}), nested
    assert scope_value(phone, frozenset()) is None
    # Unscoped reads (ingest's own) keep everything but carry no cases.
    assert scope_value(hidden_phone, None).visible_cases == frozenset()
    assert scope_value(unseen, None) == unseen


# -- the reviewed files themselves --------------------------------------------------------------


def test_every_saved_query_declares_and_uses_the_server_parameters():
    files = sorted(SAVED_DIR.glob("*.cypher"))
    assert files, SAVED_DIR
    for path in files:
        query = parse_query_file(path, PROJECT_ROOT / "cypher")
        meta = query.meta
        assert str(meta.get("title") or "").strip(), (path.name, meta)
        assert str(meta.get("description") or "").strip(), (path.name, meta)
        params = meta.get("params") or {}
        assert "allowed_cases" in params and "row_limit" in params, (path.name, params)
        assert "$allowed_cases" in query.text, path.name
        assert query.text.rstrip().rstrip(";").rstrip().endswith("LIMIT $row_limit"), \
            (path.name, query.text[-80:])
        built = saved.from_query(query)
        assert set(params) - set(saved.SERVER_PARAMS) == \
            {p.name for p in built.parameters} | {p.name for p in built.server_parameters}


def test_saved_query_files_are_in_the_library(store):
    names = {q.name for q in saved.library(store)}
    assert names == {p.name.split(".")[0] for p in SAVED_DIR.glob("*.cypher")}, names


@pytest.mark.parametrize("cell, shown", [
    ({"id": "phone:+46701234567", "kind": "phone", "properties": {}}, "Ett nummer"),
    ({"type": "USES", "case_id": "K-1", "id": "f1"}, "USES (K-1)"),
    ({"id": 1, "kind": "x"}, '{"id": 1, "kind": "x"}'),
    ({"id": "", "kind": "phone"}, '{"id": "", "kind": "phone"}'),
    ({"id": "phone:+46701234567", "kind": None}, '{"id": "phone:+46701234567", "kind": null}'),
    ({"type": "USES", "case_id": None}, '{"case_id": null, "type": "USES"}'),
])
def test_every_renderer_agrees_on_which_cells_are_entities_and_facts(cell, shown):
    # The page (display), the CSV (display) and the evidence package (cell_text) name an
    # entity by its label, a fact by type and case, and anything else as its JSON.
    labels = {"phone:+46701234567": "Ett nummer"}
    assert saved.cell_text(cell, labels) == shown
    entity, fact = saved.is_entity_cell(cell), saved.is_fact_cell(cell)
    assert saved.display(cell) == (cell["id"] if entity else shown if fact else cell)
