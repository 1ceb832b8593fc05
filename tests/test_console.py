"""The Cypher console runs only on the user's projection (issue 10, item 5).

Each refusal is tried; then ad-hoc statements try to count, compare or walk the facts of the
hidden cases of tests/librarycases.py and find nothing, because the projection does not hold
them. The projection is cached per visible-case set and data version, and dropped when either
changes.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from sqlalchemy import select

from graphapp import accounts
from graphapp.access import Actor
from graphapp.db import AuditRecord, session_scope
from graphapp.services import console
from graphapp.store import StoreError, projection
from ingest.loader import load_directory
from tests import librarycases
from tests.conftest import bearer, make_user
from tests.librarycases import DAN_PHONE, HIDDEN_ONLY, L1, L2, L3, MEMBERS, H, N, write_files

library_cases = librarycases.library_cases  # the fixture
LINA = Actor(name="lina", role="analyst", cases=MEMBERS["lina"][1])


def run(client, headers, statement: str):
    return client.post("/api/v1/console", json={"statement": statement}, headers=headers)


def rows(client, headers, statement: str) -> list[list]:
    response = run(client, headers, statement)
    assert response.status_code == 200, (statement, response.status_code, response.data)
    return response.json["rows"]


def audit_rows(settings, action: str) -> list[AuditRecord]:
    with session_scope(settings) as s:
        found = s.scalars(select(AuditRecord).where(AuditRecord.action == action)
                          .order_by(AuditRecord.id)).all()
        s.expunge_all()
        return found


def graph_counts(store) -> tuple[int, int]:
    """Nodes and relationships of the main graph, read past every filter (the test's own)."""
    nodes = store._graph.ro_query("MATCH (n) RETURN count(n)").result_set[0][0]
    rels = store._graph.ro_query("MATCH ()-[r]->() RETURN count(r)").result_set[0][0]
    return nodes, rels


REFUSED = {
    "create": "CREATE (n:Phone {e164: '+46700000000'}) RETURN n",
    "merge": "MERGE (c:Case {case_id: 'K-X'}) RETURN c",
    "set": "MATCH (c:Case) SET c.title = 'x' RETURN c",
    "delete": "MATCH (n:Phone) DELETE n",
    "detach_delete": "MATCH (n) DETACH DELETE n",
    "remove": "MATCH (n:Phone) REMOVE n.case_ids RETURN n",
    "foreach": "MATCH (n:Phone) FOREACH (x IN [1] | SET n.x = x)",
    "create_index": "CREATE INDEX FOR (n:Phone) ON (n.note)",
    "drop_index": "DROP INDEX ON :Phone(e164)",
    "constraint": "CREATE CONSTRAINT FOR (n:Phone) REQUIRE n.e164 IS UNIQUE",
    "call_db": "CALL db.labels() YIELD label RETURN label",
    "call_db_index": "CALL db.idx.fulltext.createNodeIndex('Phone', 'e164')",
    "call_dbms": "CALL dbms.procedures()",
    "call_backticked": "CALL `db.indexes`()",
    "db_function": "RETURN db.labels()",
    "load_csv": "LOAD CSV FROM 'file:///etc/passwd' AS row RETURN row",
    "load_csv_url": "load csv with headers from 'http://example.org/x.csv' as r return r",
    "two_statements": "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n",
    "use": "USE system MATCH (n) RETURN n",
    "show": "SHOW INDEXES",
    "in_transactions": "CALL { MATCH (n) RETURN n } IN TRANSACTIONS RETURN 1",
    "graph_command": "GRAPH.DELETE casegraph",
    "empty": "   ",
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_writes_schema_admin_and_load_csv_are_refused(client, library_cases, case):
    before = graph_counts(library_cases.store)
    statement = REFUSED[case]
    response = run(client, library_cases.headers["lina"], statement)
    assert response.status_code == 400, (case, response.status_code, response.data)
    assert response.json["error"]["code"] == "refused", response.json
    message = response.json["error"]["message"]
    assert message and "Traceback" not in message, message
    assert graph_counts(library_cases.store) == before
    [record] = audit_rows(library_cases.settings, "console-query")
    assert record.outcome == "refused" and record.detail["statement"] == statement, record.detail
    assert record.detail["reason"] == message, record.detail


def test_a_write_that_slipped_past_the_check_is_refused_by_read_only_mode(library_cases):
    """Defence in depth: the projection runs RO_QUERY whatever the text says."""
    store = library_cases.store
    key = projection.ensure(store, frozenset(LINA.cases), "lina")
    with pytest.raises(Exception) as refused:
        store.run_on(key, "MATCH (n:Phone) SET n.x = 1 RETURN n", {}, read_only=True)
    assert "read" in str(refused.value).lower(), refused.value
    with pytest.raises(StoreError, match="projection graphs"):
        store.run_on(store.settings.graph_name, "MATCH (n) RETURN n", {}, read_only=True)


HIDDEN_PROBES = {
    # statement: the answer on lina's projection
    "MATCH (c:Case) RETURN c.case_id ORDER BY c.case_id": [[L1], [L2], [L3]],
    f"MATCH (c:Case) WHERE c.case_id IN ['{N}', '{H}'] RETURN count(c)": [[0]],
    f"MATCH (n) WHERE '{H}' IN n.case_ids OR '{N}' IN n.case_ids RETURN count(n)": [[0]],
    f"MATCH ()-[r]->() WHERE NOT r.case_id IN ['{L1}', '{L2}', '{L3}'] RETURN count(r)": [[0]],
    f"MATCH ()-[r]->() WHERE r.other_case_id IS NOT NULL AND NOT r.other_case_id IN ['{L1}', '{L2}', '{L3}'] "
    "RETURN count(r)": [[0]],
    # Dan's phone: 4 call partners in lina's cases; hugo's cases add 4 more.
    f"MATCH (p:Phone {{e164: '{DAN_PHONE}'}})-[k:CALLED]-(o:Phone) RETURN count(DISTINCT o)": [[4]],
    f"MATCH (p:Phone {{e164: '{DAN_PHONE}'}}) RETURN size(p.case_ids)": [[3]],
    "MATCH (p:Phone {e164: '+46702220009'}) RETURN p": [],
    "MATCH ()-[r:INVOLVES]->() WHERE r.name CONTAINS 'Hanna' OR r.name CONTAINS 'Hugo' "
    "OR r.name CONTAINS 'Walkr' RETURN count(r)": [[0]],
    # Vera is a suspect in hidden N: comparing her roles finds only 'victim'.
    "MATCH ()-[r:INVOLVES]->(p:Person) WHERE r.name = 'Vera Ivanova' RETURN collect(DISTINCT r.role)":
        [[["victim"]]],
    # Walking: from Vera's phone nothing leads to Hanna (who uses it in hidden H) or Umeå.
    "MATCH (a:Phone {e164: '+46701110002'})-[*1..4]-(x) WITH DISTINCT x "
    "MATCH (x)-[r]-() WHERE r.city = 'Umeå' OR r.city = 'Luleå' RETURN count(r)": [[0]],
    "MATCH (n) WHERE n.match_keys IS NOT NULL OR n.block_keys IS NOT NULL RETURN count(n)": [[0]],
    "MATCH ()-[r:MAYBE_SAME_AS]->() RETURN r.case_id, r.other_case_id": [[L2, L3]],
    "MATCH (n) RETURN count(n)": [[25]],
}


def test_counting_comparing_or_walking_hidden_facts_finds_nothing(client, library_cases):
    headers = library_cases.headers["lina"]
    for statement, expected in HIDDEN_PROBES.items():
        got = rows(client, headers, statement)
        assert got == expected, (statement, got)
    text = json.dumps(rows(client, headers, "MATCH (a)-[r]->(b) RETURN a, r, b"), ensure_ascii=False)
    props = json.dumps(rows(client, headers, "MATCH ()-[r]->() RETURN properties(r)"),
                       ensure_ascii=False)
    for secret in HIDDEN_ONLY:
        assert secret not in text and secret not in props, secret
    # hugo's own projection answers the same probe with his cases' facts.
    theirs = rows(client, library_cases.headers["hugo"],
                  f"MATCH (p:Phone {{e164: '{DAN_PHONE}'}})-[k:CALLED]-(o:Phone) RETURN count(DISTINCT o)")
    assert theirs == [[4]], theirs


def test_national_ids_are_masked_in_the_projection(client, library_cases, tmp_path):
    extra = {"persons.csv": (["case_id", "person_ref", "name", "birth_date", "nationality",
                              "national_id", "role", "source"],
                             [[L1, "P9", "Nils Nummer", "1960-06-06", "SE", "19600606-1234",
                               "witness", "L1-98"]])}
    result = load_directory(write_files(tmp_path / "ids", extra), library_cases.store,
                            library_cases.settings)
    assert result.ok, result.problems
    got = rows(client, library_cases.headers["lina"],
               "MATCH ()-[r:INVOLVES]->() WHERE r.name = 'Nils Nummer' RETURN r.national_id")
    assert got == [["•••••••••1234"]], got


def test_every_statement_is_audited_in_full(client, library_cases):
    statement = "MATCH (p:Phone)\n// a comment\nRETURN p.e164 AS phone ORDER BY phone"
    got = rows(client, library_cases.headers["lina"], statement)
    assert len(got) == 5, got
    failing = run(client, library_cases.headers["lina"], "MATCH (n RETURN n")
    assert failing.status_code == 400 and failing.json["error"]["code"] == "query_failed", failing.json
    records = audit_rows(library_cases.settings, "console-query")
    assert [(r.outcome, r.detail["statement"]) for r in records] == [
        ("ok", statement), ("error", "MATCH (n RETURN n")], records
    assert records[0].detail["rows"] == 5 and sorted(records[0].cases) == [L1, L2, L3], records[0]


def test_a_syntax_error_is_placed_in_the_users_own_statement(client, library_cases):
    """The console wraps a statement to cap its rows: an error's line is the user's line, and
    a statement cut short says so, not "Invalid input '}'" (the wrapping's brace)."""
    headers = library_cases.headers["lina"]
    wrong = run(client, headers, "MATCH (p:Phone)\nWHERE p.e164 = 1 RETUR p").json["error"]["message"]
    assert re.search(r"\(line 2, column \d+\)$", wrong) and "errMsg" not in wrong, wrong
    short = run(client, headers, "MATCH (p:Phone)\nRETURN p.e164 +").json["error"]["message"]
    assert short.startswith("Unexpected end of the statement: expected"), short
    assert "'}'" not in short and "line" not in short, short


def test_the_row_cap(client, library_cases, monkeypatch):
    monkeypatch.setattr(console, "ROW_CAP", 3)
    response = run(client, library_cases.headers["lina"], "MATCH (n) RETURN n")
    assert response.status_code == 200 and len(response.json["rows"]) == 3, response.json
    assert response.json["truncated"] is True


def test_the_store_stops_at_the_row_cap(library_cases):
    """The cap holds inside the store: two million rows are never built, sent or converted."""
    wrapped = console.capped("UNWIND range(1, 2000000) AS x RETURN x ORDER BY x DESC;")
    started = time.monotonic()
    rows = library_cases.store.read_projection([L1, L2, L3], wrapped, timeout=30, owner="lina")
    assert len(rows) == console.ROW_CAP + 1 and rows[0] == {"x": 2000000}, rows[:2]
    assert time.monotonic() - started < 10
    for statement in ("MATCH (n) RETURN count(n)", "MATCH (n) RETURN n.key AS k UNION "
                      "MATCH (n) RETURN n.key AS k // a trailing comment"):
        assert library_cases.store.read_projection([L1, L2, L3], console.capped(statement),
                                                   timeout=30, owner="lina")


def test_the_projection_is_cached_and_rebuilt_when_the_data_changes(client, library_cases, tmp_path):
    store, settings = library_cases.store, library_cases.settings
    key = projection.projection_key(settings.graph_name, frozenset(LINA.cases))
    rows(client, library_cases.headers["lina"], "MATCH (n) RETURN count(n)")
    meta = json.loads(store.redis().hget(projection.meta_key(settings.graph_name), key))
    rows(client, library_cases.headers["lina"], "MATCH (n) RETURN count(n)")
    again = json.loads(store.redis().hget(projection.meta_key(settings.graph_name), key))
    assert again["built_at"] == meta["built_at"] and again["version"] == meta["version"], (meta, again)
    # A new batch changes the data version: the next statement sees a fresh projection.
    extra = {"phones.csv": (["case_id", "number", "person_ref", "country_hint", "first_seen",
                             "last_seen", "source"],
                            [[L1, "+46705550555", "", "", "", "", "L1-99"]])}
    result = load_directory(write_files(tmp_path / "third", extra), store, settings)
    assert result.ok, result.problems
    assert rows(client, library_cases.headers["lina"],
                "MATCH (p:Phone {e164: '+46705550555'}) RETURN count(p)") == [[1]]
    rebuilt = json.loads(store.redis().hget(projection.meta_key(settings.graph_name), key))
    assert rebuilt["version"] > meta["version"] and rebuilt["built_at"] > meta["built_at"], rebuilt


def test_a_projection_is_dropped_when_the_users_cases_change(client, library_cases):
    store, settings = library_cases.store, library_cases.settings
    headers = library_cases.headers["lina"]
    old = projection.projection_key(settings.graph_name, frozenset({L1, L2, L3}))
    rows(client, headers, "MATCH (n) RETURN count(n)")
    assert store.redis().exists(old)
    accounts.revoke_case(settings, "lina", L3)
    assert rows(client, headers, "MATCH (c:Case) RETURN c.case_id ORDER BY c.case_id") == [[L1], [L2]]
    assert not store.redis().exists(old)
    new = projection.projection_key(settings.graph_name, frozenset({L1, L2}))
    assert store.redis().exists(new)


def test_projections_of_an_older_data_version_are_swept(library_cases):
    store = library_cases.store
    hugo = Actor(name="hugo", role="analyst", cases=MEMBERS["hugo"][1])
    theirs = projection.ensure(store, frozenset(hugo.cases), "hugo")
    store.write("admin/reclassify", {"case_id": N, "classification": "restricted"})
    mine = projection.ensure(store, frozenset(LINA.cases), "lina")
    assert store.redis().exists(mine) and not store.redis().exists(theirs)


def test_the_console_needs_its_action(client, library_cases, settings):
    headers = bearer(make_user(settings, "ivan", "investigator", {L1: "read"}))
    response = run(client, headers, "MATCH (n) RETURN count(n)")
    assert response.status_code == 403, response.data
    accounts.grant_action(settings, "ivan", "use-cypher-console", granted_by="test")
    assert rows(client, headers, "MATCH (c:Case) RETURN c.case_id") == [[L1]]


def test_the_console_is_off_without_projections(client, library_cases, monkeypatch):
    monkeypatch.setattr(type(library_cases.store), "supports_projection", False)
    response = run(client, library_cases.headers["lina"], "MATCH (n) RETURN n")
    assert response.status_code == 503 and response.json["error"]["code"] == "console_off", response.json


def test_the_console_page(client, library_cases):
    from tests.test_web import login, page_token

    make_user(library_cases.settings, "una", "analyst", {L1: "read"})
    assert login(client, "una").status_code == 302
    page = client.get("/console").get_data(as_text=True)
    assert "projection" in page and 'name="statement"' in page, page
    token = page_token(client, "/console")
    shown = client.post("/console", data={"csrf_token": token,
                                          "statement": "MATCH (c:Case) RETURN c.title AS title"})
    assert "Koppleri Gävle" in shown.get_data(as_text=True)
    refused = client.post("/console", data={"csrf_token": token, "statement": "MATCH (n) DELETE n"})
    assert "the console only reads" in refused.get_data(as_text=True)
    # A map that merely looks like an entity (an id that is not an entity id) is shown, not
    # looked up; a real one is named by its label.
    odd = client.post("/console", data={"csrf_token": token, "statement":
                                        "RETURN {id: 1, kind: 'x'} AS a, {id: [1], kind: 'y'} AS b"})
    odd_page = odd.get_data(as_text=True)
    assert odd.status_code == 200 and "&#34;id&#34;: 1, &#34;kind&#34;: &#34;x&#34;" in odd_page, odd_page
    assert "/entities/" not in odd_page.split("result-table")[1], odd_page
    named = client.post("/console", data={"csrf_token": token, "statement":
                                          "MATCH (p:Person) RETURN p ORDER BY p.person_id LIMIT 3"})
    assert ">Dan Kontroll</a>" in named.get_data(as_text=True)


def test_columns_come_in_the_order_the_statement_wrote_them(client, library_cases):
    """The cap's wrapper (RETURN *) sorts columns by name; the console puts them back."""
    headers = library_cases.headers["lina"]
    response = run(client, headers, "MATCH (p:Phone) RETURN p.e164 AS zz, size(p.case_ids) AS aa "
                                    "ORDER BY aa DESC, zz LIMIT 1")
    assert response.json["columns"] == ["zz", "aa"], response.json
    assert response.json["rows"] == [[DAN_PHONE, 3]], response.json
    unaliased = run(client, headers, "MATCH (c:Case) RETURN c.title, c.case_id ORDER BY c.case_id LIMIT 1")
    assert unaliased.json["columns"] == ["c.title", "c.case_id"], unaliased.json
    assert unaliased.json["rows"] == [["Koppleri Gävle", L1]], unaliased.json
