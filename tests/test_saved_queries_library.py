"""Every saved query's answer on a fixture built for it, the hidden cases' silence, the header
format's checks, and running from the UI, the API and the command line (issue 10).

The fixture (tests/librarycases.py) gives lina three cases and hugo two others that touch the
same phones, persons, hotels and address: each query's answer for lina is written out below,
and none of what only hugo's cases state may appear in it (nor lina's in hugo's).
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from graphapp import create_app
from graphapp.access import Actor
from graphapp.db import AuditRecord, session_scope
from graphapp.services import saved_queries as saved
from graphapp.settings import PROJECT_ROOT
from graphapp.store.queries import QueryLibrary
from tests import librarycases
from tests.conftest import bearer, make_user
from tests.librarycases import (
    BERT_PHONE,
    BO_PHONE,
    DAN_PHONE,
    FORMULA_URL,
    HIDDEN_ONLY,
    JIT,
    L1,
    L2,
    L3,
    MEMBERS,
    VERA_PHONE,
    VISIBLE_ONLY,
    WANDA_PHONE,
)

library_cases = librarycases.library_cases  # the fixture
SAVED_DIR = PROJECT_ROOT / "cypher" / "saved"

#: Parameters for the queries that need some; the others run on their defaults.
PARAMS = {
    "suspect_victims": {"suspect": "DAN"},
    "new_links_since": {"since": "2025-01-01"},
    "facts_in_period": {"from": "2031-01-10", "to": "2031-01-12"},
    "person_network": {"name": "vera"},
    "adverts_for_phone": {"phone": "070-111 00 02"},
    "hotel_guests": {"hotel": "norr"},
}
#: The same queries for hugo (his cases' names).
HUGO_PARAMS = {**PARAMS, "suspect_victims": {"suspect": "dan"}, "person_network": {"name": "hanna"},
               "hotel_guests": {"hotel": "väst"}, "adverts_for_phone": {"phone": VERA_PHONE},
               "new_links_since": {"since": "2000-01-01"}}

LINA = Actor(name="lina", role="analyst", cases=MEMBERS["lina"][1])
HUGO = Actor(name="hugo", role="analyst", cases=MEMBERS["hugo"][1])


def run(lib, name: str, actor: Actor = LINA, **params) -> list[dict]:
    """The query's rows as dicts of JSON values (entities as their ids)."""
    result = saved.run(lib.store, actor, name, params or PARAMS.get(name, {}), settings=lib.settings)
    return [dict(zip(result["columns"], [saved.display(v) for v in row], strict=True))
            for row in result["rows"]]


def names_of(path: Path) -> str:
    return path.name.split(".")[0]


ALL = sorted({names_of(p) for p in SAVED_DIR.glob("*.cypher")})


def test_the_library_has_the_domain_queries():
    assert len(ALL) >= 15, ALL
    for needed in ("shared_phones", "advert_phone_cities", "shared_hotels", "overlapping_stays",
                   "suspect_victims", "victim_movements", "call_hubs", "shared_addresses",
                   "new_links_since", "buyers_of_controller", "cases_joined", "merge_suggestions",
                   "jit_touching_national"):
        assert needed in ALL, needed


# -- each query's answer -----------------------------------------------------------------------


def test_shared_phones(library_cases):
    rows = run(library_cases, "shared_phones")
    got = {r["phone"]: sorted(r["cases"]) for r in rows}
    assert got == {f"phone:{DAN_PHONE}": [L1, L2, L3], f"phone:{VERA_PHONE}": [L1, L2],
                   f"phone:{WANDA_PHONE}": [L2, L3]}, rows
    assert rows[0]["phone"] == f"phone:{DAN_PHONE}" and rows[0]["case_count"] == 3, rows


def test_advert_phone_cities(library_cases):
    rows = run(library_cases, "advert_phone_cities")
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["phone"] == f"phone:{VERA_PHONE}" and row["city_count"] == 2, row
    assert sorted(row["cities"]) == sorted(["Gävle", "SUNDSVALL", "Sundsvall"]), row
    assert row["adverts"] == 3 and sorted(row["cases"]) == [L1, L2], row
    assert run(library_cases, "advert_phone_cities", min_cities=3) == []


def test_shared_hotels(library_cases):
    rows = run(library_cases, "shared_hotels")
    got = {r["name"]: (r["city"], r["case_count"], sorted(r["cases"]), r["guests"], r["stays"])
           for r in rows}
    assert got == {"Hotell Norr": ("Sundsvall", 3, [L1, L2, L3], 3, 3),
                   "Hotell Syd": ("Gävle", 2, [L1, L3], 1, 2)}, rows
    assert [r["name"] for r in rows] == ["Hotell Norr", "Hotell Syd"], rows


def test_overlapping_stays(library_cases):
    rows = run(library_cases, "overlapping_stays")
    assert len(rows) == 1, rows
    pair = {(rows[0]["name_a"], rows[0]["case_a"]), (rows[0]["name_b"], rows[0]["case_b"])}
    assert pair == {("Vera Ivanova", L1), ("Bo Köpare", L2)}, rows
    assert rows[0]["hotel_name"] == "Hotell Norr" and rows[0]["city"] == "Sundsvall", rows
    assert run(library_cases, "overlapping_stays", same_case=True) == rows
    assert run(library_cases, "overlapping_stays", hotel="syd") == []


def test_suspect_victims(library_cases):
    result = saved.run(library_cases.store, LINA, "suspect_victims", {"suspect": "dan"},
                       settings=library_cases.settings)
    rows = [dict(zip(result["columns"], row, strict=True)) for row in result["rows"]]
    got = sorted((r["suspect_name"], r["victim_name"], r["case_id"]) for r in rows)
    assert got == [("Dan Kontroll", "Vera Ivanova", L1), ("Dan Kontroll", "Vera Ivanova", L3),
                   ("Dan Kontroll", "Wanda Walker", L3)], rows
    labels = sorted(n["label"] for n in result["nodes"])
    assert labels == sorted(["Dan Kontroll", "Vera Ivanova", "Wanda Walker", L1, L3]), result["nodes"]
    assert len(result["edges"]) == 5, result["edges"]
    ids = {n["id"] for n in result["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in result["edges"]), result
    assert {e["case_id"] for e in result["edges"]} == {L1, L3}, result["edges"]


def test_victim_movements(library_cases):
    rows = run(library_cases, "victim_movements")
    assert len(rows) == 1, rows
    row = rows[0]
    assert row["name"] == "Vera Ivanova" and row["city_count"] == 2 and row["moves"] == 2, row
    assert row["route"] == "2031-01-01 Gävle > 2031-01-10 Sundsvall > 2031-02-10 Gävle", row
    assert sorted(row["cases"]) == [L1, L3], row
    singles = {r["name"] for r in run(library_cases, "victim_movements", min_cities=1)}
    assert singles == {"Vera Ivanova", "Wanda Walker"}, singles


def test_call_hubs(library_cases):
    rows = run(library_cases, "call_hubs")
    assert [(r["phone"], r["partners"], r["calls"]) for r in rows] == \
        [(f"phone:{DAN_PHONE}", 4, 21)], rows
    assert sorted(rows[0]["cases"]) == [L1, L2, L3] and rows[0]["users"] == ["Dan Kontroll"], rows
    twos = {r["phone"]: r["partners"] for r in run(library_cases, "call_hubs", min_partners=2)}
    assert twos == {f"phone:{DAN_PHONE}": 4, f"phone:{VERA_PHONE}": 2, f"phone:{BO_PHONE}": 2}, twos


def test_shared_addresses(library_cases):
    rows = run(library_cases, "shared_addresses")
    assert len(rows) == 1, rows
    row = rows[0]
    assert {row["name_1"], row["name_2"]} == {"Ulf Andersson", "Ulla Berg"}, row
    assert row["street"] == "Storgatan 5" and row["city"] == "Gävle", row
    assert sorted(row["cases"]) == [L1, L2] and sorted(row["kinds"]) == ["residence", "work"], row
    # Dan and Vera share Kopparvägen 1 too, but L1 records that Dan controls her.
    assert run(library_cases, "shared_addresses", different_cases=True) == rows


def test_new_links_since_by_batch_load_time(library_cases):
    rows = run(library_cases, "new_links_since")
    got = sorted((r["link"], r["from_entity"], r["to_entity"], r["case_id"], r["source"],
                  r["from_cases"], r["to_cases"]) for r in rows)
    assert got == sorted([
        ("CALLED", f"phone:{BO_PHONE}", f"phone:{DAN_PHONE}", L2, "L2-20", 1, 3),
        ("MENTIONS", f"case:{L2}", f"phone:{BO_PHONE}", L2, "L2-20", 1, 1),
        ("MENTIONS", f"case:{L2}", f"phone:{DAN_PHONE}", L2, "L2-20", 1, 3),
    ]), rows
    facts_only = run(library_cases, "new_links_since", since="2025-01-01", case_records=False)
    assert [r["link"] for r in facts_only] == ["CALLED"], facts_only
    everything = run(library_cases, "new_links_since", since="2020-01-01")
    assert len(everything) > 60 and {r["case_id"] for r in everything} == {L1, L2, L3}, everything
    assert run(library_cases, "new_links_since", since="2999-01-01") == []


def test_buyers_of_controller(library_cases):
    rows = run(library_cases, "buyers_of_controller")
    got = sorted((r["controller_name"], r["controller_phone"], r["via"], r["buyer_name"],
                  r["buyer_phone"], r["calls"], tuple(r["cases"])) for r in rows)
    assert got == sorted([
        ("Dan Kontroll", f"phone:{DAN_PHONE}", "own phone", "Bert Köpare", f"phone:{BERT_PHONE}", 3, (L2,)),
        ("Dan Kontroll", f"phone:{DAN_PHONE}", "own phone", "Bo Köpare", f"phone:{BO_PHONE}", 1, (L2,)),
        ("Dan Kontroll", f"phone:{VERA_PHONE}", "used by Vera Ivanova", "Bo Köpare",
         f"phone:{BO_PHONE}", 2, (L2,)),
    ]), rows
    only = run(library_cases, "buyers_of_controller", phone="070-111 00 02")
    assert [(r["buyer_name"], r["via"]) for r in only] == [("Bo Köpare", "used by Vera Ivanova")], only


def test_cases_joined(library_cases):
    rows = run(library_cases, "cases_joined")
    got = [(r["case_a"], r["case_b"], r["shared"], r["persons"], r["phones"], r["addresses"],
            r["hotels"], r["adverts"]) for r in rows]
    assert got == [(L1, L3, 5, 2, 1, 0, 2, 0), (L1, L2, 4, 0, 2, 1, 1, 0),
                   (L2, L3, 3, 0, 2, 0, 1, 0)], rows
    assert [r["case_a"] for r in run(library_cases, "cases_joined", min_shared=5)] == [L1], rows


def test_merge_suggestions_only_between_visible_records(library_cases):
    rows = run(library_cases, "merge_suggestions")
    assert [(r["name_a"], r["case_a"], r["name_b"], r["case_b"]) for r in rows] == \
        [("Wanda Wallker", L2, "Wanda Walker", L3)], rows
    assert rows[0]["score"] >= 85, rows
    assert run(library_cases, "merge_suggestions", min_score=99) == []


def test_jit_touching_national(library_cases):
    rows = run(library_cases, "jit_touching_national")
    got = {(r["entity"], tuple(sorted(r["national_cases"]))) for r in rows}
    assert got == {
        (f"phone:{DAN_PHONE}", (L1, L2)), (f"phone:{WANDA_PHONE}", (L2,)),
        ("hotel:norr|sundsvall|SE", (L1, L2)), ("hotel:syd|gavle|SE", (L1,)),
    } | {(r["entity"], (L1,)) for r in rows if r["kind"] == "person"}, rows
    assert sum(r["kind"] == "person" for r in rows) == 2, rows
    assert all(r["teams"] == [JIT] and r["jit_cases"] == [L3] for r in rows), rows
    phones = run(library_cases, "jit_touching_national", kind="phone")
    assert {r["entity"] for r in phones} == {f"phone:{DAN_PHONE}", f"phone:{WANDA_PHONE}"}, phones


def test_persons_in_several_cases(library_cases):
    rows = run(library_cases, "persons_in_several_cases")
    got = {r["names"][0]: (sorted(r["cases"]), r["roles"], r["roles_differ"]) for r in rows}
    # Vera is a suspect in hugo's hidden case N: lina must not learn it.
    assert got == {"Dan Kontroll": ([L1, L3], ["suspect"], False),
                   "Vera Ivanova": ([L1, L3], ["victim"], False)}, rows
    suspects = run(library_cases, "persons_in_several_cases", role="suspect")
    assert [r["names"] for r in suspects] == [["Dan Kontroll"]], suspects


def test_shared_phone_users(library_cases):
    rows = run(library_cases, "shared_phone_users")
    assert [(r["phone"], r["user_count"], sorted(r["names"]), sorted(r["cases"])) for r in rows] == \
        [(f"phone:{WANDA_PHONE}", 2, ["Wanda Walker", "Wanda Wallker"], [L2, L3])], rows


def test_facts_in_period(library_cases):
    rows = run(library_cases, "facts_in_period")
    got = [(r["first"], r["link"], r["source"]) for r in rows]
    assert got == [("2031-01-01", "USES", "L1-4"), ("2031-01-05", "CALLED", "L1-6"),
                   ("2031-01-10", "LISTS", "L2-13"), ("2031-01-10", "STAYED_AT", "L1-14"),
                   ("2031-01-11", "CALLED", "L2-7"), ("2031-01-11", "STAYED_AT", "L2-11"),
                   ("2031-01-12", "CALLED", "L2-8")], rows


def test_person_network_is_a_graph_of_direct_links(library_cases):
    result = saved.run(library_cases.store, LINA, "person_network", {"name": "vera"},
                       settings=library_cases.settings)
    assert result["columns"][:2] == ["person", "link"], result
    labels = sorted(n["label"] for n in result["nodes"])
    assert labels == sorted(["Vera Ivanova", "Dan Kontroll", "Kopparvägen 1, Gävle",
                             "Hotell Syd, Gävle", "Hotell Norr, Sundsvall", VERA_PHONE]), labels
    types = sorted(e["type"] for e in result["edges"])
    assert types == ["ASSOCIATED_WITH", "RESIDES_AT", "STAYED_AT", "STAYED_AT", "STAYED_AT",
                     "USES"], types


def test_adverts_for_phone_in_any_spelling(library_cases):
    rows = run(library_cases, "adverts_for_phone")
    assert [(r["advert_id"], r["city"], r["posted"], r["case_id"]) for r in rows] == [
        ("A-100", "Gävle", "2031-01-03", L1), ("B-200", "Sundsvall", "2031-01-09", L2),
        ("B-201", "SUNDSVALL", "2031-01-10", L2)], rows
    assert run(library_cases, "adverts_for_phone", phone="+46 70 111 00 02") == rows


def test_hotel_guests(library_cases):
    rows = run(library_cases, "hotel_guests")
    assert [(r["name"], r["role"], r["case_id"]) for r in rows] == [
        ("Vera Ivanova", "victim", L1), ("Bo Köpare", "buyer", L2), ("Wanda Walker", "victim", L3)], rows
    january = run(library_cases, "hotel_guests", hotel="NORR", **{"from": "2031-01-11", "to": "2031-01-31"})
    assert [r["name"] for r in january] == ["Vera Ivanova", "Bo Köpare"], january


def test_every_query_has_an_answer_test():
    tested = {name.removeprefix("test_") for name in globals() if name.startswith("test_")}
    untested = [q for q in ALL if not any(t.startswith(q) or q in t for t in tested)]
    assert not untested, f"saved queries without an answer test here: {untested}"


# -- compartments -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ALL)
def test_nothing_of_a_hidden_case_reaches_the_answer(library_cases, name):
    """lina's answers hold nothing only hugo's cases state, and hugo's nothing of lina's."""
    mine = saved.run(library_cases.store, LINA, name, PARAMS.get(name, {}),
                     settings=library_cases.settings)
    text = json.dumps(mine, ensure_ascii=False)
    for secret in HIDDEN_ONLY:
        assert secret not in text, (name, secret, text[:3000])
    theirs = saved.run(library_cases.store, HUGO, name, HUGO_PARAMS.get(name, {}),
                       settings=library_cases.settings)
    text = json.dumps(theirs, ensure_ascii=False)
    for secret in VISIBLE_ONLY:
        assert secret not in text, (name, secret, text[:3000])
    nobody = Actor(name="nils", role="analyst", cases={})
    empty = saved.run(library_cases.store, nobody, name, PARAMS.get(name, {}),
                      settings=library_cases.settings)
    assert empty["rows"] == [], (name, empty)


# -- the header format --------------------------------------------------------------------------

GOOD = """\
// name: {name}
// title: A test query
// description: Why one would run it.
// action: run-saved-query
// result: table
// tags: [test]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   n:
//     type: int
//     default: 2
//     min: 1
//     max: 5
MATCH (c:Case) WHERE c.case_id IN $allowed_cases AND $n > 0
RETURN c.case_id AS case_id
LIMIT $row_limit
"""


BAD_HEADERS = {
    "missing_title": (GOOD.replace("// title: A test query\n", ""), "title"),
    "empty_description": (GOOD.replace("Why one would run it.", "''"), "description"),
    "unknown_key": (GOOD.replace("// tags: [test]", "// tags: [test]\n// owner: me"), "unknown header"),
    "wrong_name": (GOOD.replace("// name: {name}", "// name: other"), "name"),
    "bad_result": (GOOD.replace("result: table", "result: chart"), "result"),
    "unknown_action": (GOOD.replace("action: run-saved-query", "action: do-anything"), "action"),
    "tags_not_a_list": (GOOD.replace("tags: [test]", "tags: test"), "tags"),
    "no_allowed_cases_declared": (GOOD.replace("//   allowed_cases: list<string>\n", "")
                                  .replace("c.case_id IN $allowed_cases AND ", ""), "allowed_cases"),
    "does_not_filter": (GOOD.replace("c.case_id IN $allowed_cases AND ", ""), "$allowed_cases"),
    "no_row_limit": (GOOD.replace("LIMIT $row_limit", "LIMIT 10").replace("//   row_limit: int\n", ""),
                     "row_limit"),
    "unknown_type": (GOOD.replace("type: int", "type: integer"), "type"),
    "map_type": (GOOD.replace("type: int\n//     default: 2\n//     min: 1\n//     max: 5", "type: map"),
                 "cannot be given"),
    "bound_on_string": (GOOD.replace("type: int", "type: string").replace("default: 2", "default: x"),
                        "min"),
    "min_above_max": (GOOD.replace("min: 1", "min: 9"), "min is above max"),
    "default_out_of_bounds": (GOOD.replace("default: 2", "default: 7"), "default"),
    "unknown_param_key": (GOOD.replace("//     max: 5", "//     max: 5\n//     widget: slider"),
                          "unknown key"),
    "declared_not_used": (GOOD.replace("AND $n > 0", ""), "does not use $n"),
    "used_not_declared": (GOOD.replace("$n > 0", "$m > 0"), "not declared"),
    "bad_format": (GOOD.replace("type: int\n//     default: 2\n//     min: 1\n//     max: 5",
                                "type: string\n//     format: email"), "format"),
    "bad_choice": (GOOD.replace("//     min: 1\n//     max: 5", "//     choices: [1, two]"), "choice"),
    "unknown_filler": (GOOD.replace("//   n:", "//   ids:\n//     type: list<string>\n//     server: "
                                               "everything\n//     from: n\n//   n:"), "server filler"),
    "not_yaml": (GOOD.replace("// tags: [test]", "// tags: [test"), "YAML"),
}


@pytest.mark.parametrize("case", sorted(BAD_HEADERS))
def test_a_bad_header_fails_loudly_at_start(tmp_path, settings, case):
    text, expected = BAD_HEADERS[case]
    cypher = tmp_path / "cypher"
    shutil.copytree(PROJECT_ROOT / "cypher", cypher)
    (cypher / "saved" / "broken.cypher").write_text(text.replace("{name}", "broken"), encoding="utf-8")
    with pytest.raises(Exception) as failed:
        saved.check_library(cypher)
    message = str(failed.value)
    assert "broken.cypher" in message and expected.lower() in message.lower(), (case, message)
    with pytest.raises(Exception) as again:
        create_app(dataclasses.replace(settings, cypher_dir=cypher), {"TESTING": True})
    assert "broken.cypher" in str(again.value), again.value


def test_the_good_header_passes_and_describes_its_parameters(tmp_path):
    cypher = tmp_path / "cypher"
    (cypher / "saved").mkdir(parents=True)
    (cypher / "saved" / "fine.cypher").write_text(GOOD.replace("{name}", "fine"), encoding="utf-8")
    [q] = saved.check_library(cypher)
    assert q.to_dict() == {
        "name": "fine", "title": "A test query", "description": "Why one would run it.",
        "result": "table", "action": "run-saved-query", "tags": ["test"],
        "parameters": [{"name": "n", "type": "int", "label": "n", "default": 2, "required": False,
                        "help": "", "min": 1, "max": 5}],
    }


def test_every_saved_query_file_passes_the_loader():
    library = QueryLibrary(PROJECT_ROOT / "cypher")
    checked = saved.check_library(PROJECT_ROOT / "cypher")
    assert {q.name for q in checked} == set(ALL)
    assert all(q.query.name.startswith("saved/") for q in checked)
    assert library.all()


# -- parameters ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name,params,message", [
    ("shared_phones", {"min_cases": 0}, "at least 1"),
    ("shared_phones", {"min_cases": 101}, "at most 100"),
    ("jit_touching_national", {"kind": "car"}, "one of"),
    ("new_links_since", {"since": "yesterday"}, "date"),
    ("new_links_since", {"since": "2025-13-01"}, "date"),
    ("new_links_since", {"since": "2025-01-01", "batch_ids": ["b-1"]}, "unknown"),
    ("adverts_for_phone", {"phone": "not a number"}, "phone"),
    ("suspect_victims", {}, "required"),
    ("overlapping_stays", {"same_case": "maybe"}, "bool"),
    ("merge_suggestions", {"min_score": "NaN"}, "float"),
])
def test_parameters_are_checked_against_their_declaration(client, library_cases, name, params,
                                                          message):
    response = client.post(f"/api/v1/queries/{name}/run", json={"params": params},
                           headers=library_cases.headers["lina"])
    assert response.status_code == 400, (name, params, response.data)
    assert response.json["error"]["code"] == "bad_parameter", response.json
    assert message.lower() in response.json["error"]["message"].lower(), response.json


def test_the_api_lists_parameters_with_bounds_and_help(client, library_cases):
    body = client.get("/api/v1/queries", headers=library_cases.headers["lina"]).json
    queries = {q["name"]: q for q in body["queries"]}
    assert set(queries) == set(ALL), set(queries) ^ set(ALL)
    [min_cases] = queries["shared_phones"]["parameters"]
    assert (min_cases["min"], min_cases["max"], min_cases["default"]) == (1, 100, 2), min_cases
    assert min_cases["help"], min_cases
    kinds = queries["jit_touching_national"]["parameters"][0]
    assert kinds["choices"][0] == "any", kinds
    since = [p["name"] for p in queries["new_links_since"]["parameters"]]
    assert since == ["since", "case_records"], since  # batch_ids is the server's
    assert queries["suspect_victims"]["result"] == "graph", queries["suspect_victims"]


# -- running: API, audit, downloads, UI, CLI ---------------------------------------------------


def audit_rows(settings, action: str) -> list[AuditRecord]:
    with session_scope(settings) as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.action == action)
                         .order_by(AuditRecord.id)).all()
        s.expunge_all()
        return rows


def test_an_api_run_is_audited_with_name_parameters_and_rows(client, library_cases):
    response = client.post("/api/v1/queries/shared_phones/run", json={"params": {"min_cases": "3"}},
                           headers=library_cases.headers["lina"])
    assert response.status_code == 200, response.data
    assert len(response.json["rows"]) == 1 and response.json["params"] == {"min_cases": 3}
    refused = client.post("/api/v1/queries/shared_phones/run", json={"params": {"min_cases": -1}},
                          headers=library_cases.headers["lina"])
    assert refused.status_code == 400
    records = audit_rows(library_cases.settings, "run-query")
    assert [(r.actor, r.outcome) for r in records] == [("lina", "ok"), ("lina", "refused")], records
    ok = records[0]
    assert ok.detail["query"] == "shared_phones" and ok.detail["params"] == {"min_cases": 3}, ok.detail
    assert ok.detail["rows"] == 1 and ok.detail["via"] == "api", ok.detail
    assert sorted(ok.cases) == [L1, L2, L3], ok.cases
    assert records[1].detail["params"] == {"min_cases": -1}, records[1].detail


def test_graph_results_come_with_nodes_and_edges(client, library_cases):
    body = client.post("/api/v1/queries/suspect_victims/run", json={"params": {"suspect": "dan"}},
                       headers=library_cases.headers["lina"]).json
    assert {"columns", "rows", "nodes", "edges", "truncated"} <= set(body), body
    node = body["nodes"][0]
    assert {"id", "kind", "label", "cases"} <= set(node), node
    edge = body["edges"][0]
    assert {"id", "source", "target", "type", "case_id", "source_ref"} <= set(edge), edge


def test_csv_downloads_neutralise_formulas(client, library_cases):
    response = client.post("/api/v1/queries/adverts_for_phone/run",
                           json={"params": {"phone": VERA_PHONE}, "format": "csv"},
                           headers=library_cases.headers["lina"])
    assert response.status_code == 200 and response.mimetype == "text/csv", response.data
    table = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert table[0][:3] == ["advert", "site", "advert_id"], table
    urls = [row[5] for row in table[1:]]
    assert "'" + FORMULA_URL in urls and FORMULA_URL not in urls, urls
    assert saved.neutralise("+46701110002") == "+46701110002"
    assert saved.neutralise("+46 70 111") == "'+46 70 111"
    for formula in ("=1+1", "-2", "@SUM(A1)", "\tx", "\rx", "+x"):
        assert saved.neutralise(formula) == "'" + formula


def login(client, settings, name: str, role: str, cases: dict) -> None:
    """A logged-in browser session for a new user."""
    from tests.test_web import login as web_login

    make_user(settings, name, role, cases)
    response = web_login(client, name)
    assert response.status_code in (302, 303), response.data


def csrf(client) -> str:
    from tests.test_web import page_token

    return page_token(client, "/queries")


def test_the_ui_form_is_made_from_the_parameters(client, library_cases):
    login(client, library_cases.settings, "uma", "analyst", {L1: "read", L2: "read", L3: "read"})
    library = client.get("/queries").get_data(as_text=True)
    assert "Phones shared across cases" in library and "Cypher console" in library, library
    tagged = client.get("/queries?tag=hotels").get_data(as_text=True)
    assert "Hotels used in several cases" in tagged and "Call-graph hubs" not in tagged
    page = client.get("/queries/shared_phones").get_data(as_text=True)
    assert 'type="number"' in page and 'min="1"' in page and 'max="100"' in page, page
    page = client.get("/queries/new_links_since").get_data(as_text=True)
    assert 'type="date"' in page and 'type="checkbox"' in page and "batch_ids" not in page, page
    page = client.get("/queries/jit_touching_national").get_data(as_text=True)
    assert "<select" in page and '<option value="phone"' in page, page
    # A link fills the form (an unknown name is ignored); only the button runs the query.
    before = len(audit_rows(library_cases.settings, "run-query"))
    page = client.get("/queries/shared_phones?min_cases=7&drop=1").get_data(as_text=True)
    assert re.search(r'<input name="min_cases" value="7"', page) and "drop" not in page, page
    assert 'id="result-table"' not in page
    assert len(audit_rows(library_cases.settings, "run-query")) == before


def test_the_ui_runs_shows_a_sortable_table_and_downloads(client, library_cases):
    login(client, library_cases.settings, "uma", "analyst", {L1: "read", L2: "read", L3: "read"})
    token = csrf(client)
    page = client.post("/queries/shared_phones", data={"csrf_token": token, "min_cases": "2"})
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'class="facts sortable"' in text, text
    assert f"phone:{DAN_PHONE}" in text and "js/sortable.js" in text, text
    # Entities read by their labels (ids on hover), lists as comma-separated items, not JSON.
    people = client.post("/queries/persons_in_several_cases",
                         data={"csrf_token": token, "min_cases": "2", "role": "any"})
    text = people.get_data(as_text=True)
    assert re.search(r'<a href="/entities/person:[0-9a-f]+" title="person:[0-9a-f]+">Dan Kontroll</a>',
                     text), text
    assert re.search(rf"{L1}, {L3}|{L3}, {L1}", text) and f'["{L1}"' not in text, text
    assert ">no</td>" in text and ">False</td>" not in text, text  # roles_differ, a flag
    bad = client.post("/queries/shared_phones", data={"csrf_token": token, "min_cases": "0"})
    assert "at least 1" in bad.get_data(as_text=True)
    graph = client.post("/queries/suspect_victims", data={"csrf_token": token, "suspect": "dan"})
    text = graph.get_data(as_text=True)
    assert 'id="network-data"' in text and "js/network.js" in text, text
    assert "<script>" not in text  # data travels as JSON, no inline script
    download = client.post("/queries/adverts_for_phone/download",
                           data={"csrf_token": token, "phone": VERA_PHONE, "format": "csv"})
    assert download.status_code == 200 and download.mimetype == "text/csv", download.data
    assert "attachment" in download.headers["Content-Disposition"]
    assert "'" + FORMULA_URL.replace('"', '""') in download.get_data(as_text=True)
    as_json = client.post("/queries/shared_phones/download",
                          data={"csrf_token": token, "min_cases": "2", "format": "json"})
    assert json.loads(as_json.get_data(as_text=True))["columns"] == ["phone", "case_count", "cases"]
    vias = [r.detail["via"] for r in audit_rows(library_cases.settings, "run-query")]
    assert vias == ["ui", "ui", "ui", "ui", "ui-download-csv", "ui-download-json"], vias


def test_cli_query_list_and_run(run, library_cases):
    listed = run("query", "list").output
    assert "shared_phones" in listed and "--param min_cases=" in listed, listed
    as_json = json.loads(run("query", "run", "shared_phones", "--as", "lina", "--format", "json",
                             "--param", "min_cases=3").output)
    assert [saved.display(r[0]) for r in as_json["rows"]] == [f"phone:{DAN_PHONE}"], as_json
    table = run("query", "run", "shared_phones", "--as", "hugo").output
    assert VERA_PHONE in table and L1 not in table and DAN_PHONE not in table, table
    as_csv = run("query", "run", "adverts_for_phone", "--as", "lina", "--format", "csv",
                 "--param", "phone=070-111 00 02").output
    assert "'=HYPERLINK" in as_csv, as_csv
    bad = run("query", "run", "shared_phones", "--as", "lina", "--param", "min_cases=0", ok=False)
    assert "at least 1" in bad.output, bad.output
    unknown = run("query", "run", "no_such", "--as", "lina", ok=False)
    assert "no saved query" in unknown.output, unknown.output
    records = audit_rows(library_cases.settings, "run-query")
    assert [r.detail["via"] for r in records] == ["cli"] * 5, records
    assert records[0].os_user and records[0].detail["params"] == {"min_cases": 3}, records[0].detail


def test_a_role_without_the_queries_action_sees_no_library(client, library_cases, settings):
    headers = bearer(make_user(settings, "pia2", "prosecutor", {L1: "read"}))
    assert client.get("/api/v1/queries", headers=headers).status_code == 403
    assert client.post("/api/v1/queries/shared_phones/run", json={},
                       headers=headers).status_code == 403
