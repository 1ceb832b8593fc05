"""Compartments on the explorer's read paths: leaks found in review, each shown through real HTTP
(Flask's test client) on the real embedded store.
"""

from __future__ import annotations

import pytest

from graphapp.access import Actor
from ingest import batches, resolve
from ingest.loader import load_directory
from tests.conftest import bearer, make_user
from tests.csvfiles import write_files

A, B, C = "K-2031-0001", "K-2031-0002", "K-2031-0003"
CASES_HEADER = ["case_id", "title", "unit", "opened", "classification", "crime", "jit", "contact"]
PERSONS_HEADER = ["case_id", "person_ref", "name", "birth_date", "nationality", "national_id",
                  "role", "source"]


def api(client, path: str, headers, **query):
    response = client.get("/api/v1" + path, query_string=query, headers=headers)
    assert response.is_json, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response


def person_named(client, headers, q: str) -> str:
    found = [r["id"] for r in api(client, "/search", headers, q=q).json["results"]
             if r["kind"] == "person"]
    assert len(found) == 1, found
    return found[0]


@pytest.fixture
def split_suggestion(client, store, settings, tmp_path):
    """Maria Popescu (A) may be Maria Popesku, whom B and the covert C recorded (one person,
    joined on her national id): a suggestion for (A, B) and one for (A, C). Then B's record is
    split off onto a person of its own (by vera, who sees B and C), leaving the old node with
    only the covert case's record. A split now takes the (A, B) suggestion along to B's new
    person (tests/test_resolve.py); one made before that left it on the old node, and stores
    still hold such suggestions: this puts it back there, as it was left. ulla sees A and B."""
    d = write_files(tmp_path / "batch", {
        "cases.csv": (CASES_HEADER, [
            [A, "Alfa", "Unit A", "2031-01-01", "normal", "procuring", "", "Insp. A"],
            [B, "Beta", "Unit B", "2031-01-02", "normal", "procuring", "", "Insp. B"],
            [C, "Gamma", "Unit C", "2031-01-03", "covert", "trafficking", "", "Insp. C"]]),
        "persons.csv": (PERSONS_HEADER, [
            [A, "A1", "Maria Popescu", "1990-01-01", "RO", "", "victim", "A-1"],
            [B, "B1", "Maria Popesku", "1990-01-01", "RO", "19900101-5555", "victim", "B-1"],
            [C, "C1", "Maria Popesku", "1990-01-01", "RO", "19900101-5555", "victim", "C-1"]]),
    })
    result = load_directory(d, store, settings)
    assert result.ok, [str(p) for p in result.problems]
    ulla = bearer(make_user(settings, "ulla", "investigator", {A: "edit", B: "edit"}))
    maria = person_named(client, ulla, "Maria Popescu")
    joined = person_named(client, ulla, "Maria Popesku")
    assert [s["cases"] for s in api(client, f"/persons/{maria.split(':')[1]}/suggestions",
                                    ulla).json["suggestions"]] == [[A, B]]
    # The split is made by someone who sees both B's and C's records (a member of B and C:
    # to ulla, who does not see C's, B's record is the person's only one, nothing to split).
    split = resolve.split(store, settings, Actor(name="vera", role="investigator",
                                                 cases={B: "edit", C: "edit"}),
                          joined.split(":")[1], f"{B}:B1")
    # As a split before suggestions moved with their record left it: on the old node.
    moved = store._graph.query(
        "MATCH (m:Person {person_id: $m})-[s:MAYBE_SAME_AS]->(n:Person {person_id: $n}), "
        "(old:Person {person_id: $old}) "
        "CREATE (m)-[s2:MAYBE_SAME_AS]->(old) SET s2 = properties(s) DELETE s RETURN count(s2)",
        {"m": maria.split(":")[1], "n": split["person_id"],
         "old": joined.split(":")[1]}).result_set
    assert moved == [[1]], moved
    # The old node keeps only the covert case's record: not an entity ulla may see.
    assert api(client, f"/entities/{joined}", ulla).status_code == 404
    return ulla, maria, joined, "person:" + split["person_id"]


def test_a_suggestion_never_leads_to_a_person_only_hidden_cases_hold(client, split_suggestion):
    ulla, maria, covert_only, _ = split_suggestion
    views = {
        "network": api(client, f"/entities/{maria}/network", ulla, explore=1),
        "network 2 hops": api(client, f"/entities/{maria}/network", ulla, hops=2, explore=1),
        "expand": api(client, f"/entities/{maria}/expand", ulla),
        # Her case's network reaches her, and what lies beyond her, on its second hop.
        "case network 2 hops": api(client, f"/entities/case:{A}/network", ulla, hops=2, explore=1),
        "entity": api(client, f"/entities/{maria}", ulla),
    }
    for name, response in views.items():
        assert response.status_code == 200, (name, response.json)
        assert covert_only.split(":")[1] not in response.get_data(as_text=True), (name, response.json)
    for name in ("network", "network 2 hops", "expand", "case network 2 hops"):
        nodes = {n["id"]: n for n in views[name].json["nodes"]}
        assert set(nodes) == {maria, f"case:{A}"}, (name, nodes)
        # Degrees and "N more" count the visible neighbours only: her case, nothing else.
        assert (nodes[maria]["degree"], nodes[maria]["more"]) == (1, 0), (name, nodes[maria])
    assert views["expand"].json["total"] == 1, views["expand"].json
    assert {f["type"] for f in views["entity"].json["facts"]} == {"INVOLVES"}, views["entity"].json


def test_a_suggestion_left_by_a_withdrawn_record_leads_nowhere_hidden(client, store, settings,
                                                                     tmp_path):
    """The same through a withdrawal: B's record came in a batch of its own, the covert C's
    joined it (national id), A's brought the suggestions; withdrawing B's batch leaves the (A, B)
    suggestion on the person only C now holds."""
    def load(name: str, case: list[str], person: list[str]) -> str:
        d = write_files(tmp_path / name, {"cases.csv": (CASES_HEADER, [case]),
                                          "persons.csv": (PERSONS_HEADER, [person])})
        result = load_directory(d, store, settings)
        assert result.ok, [str(p) for p in result.problems]
        return result.batch_id

    b_batch = load("b", [B, "Beta", "Unit B", "2031-01-02", "normal", "procuring", "", "Insp. B"],
                   [B, "B1", "Maria Popesku", "1990-01-01", "RO", "19900101-5555", "victim", "B-1"])
    load("c", [C, "Gamma", "Unit C", "2031-01-03", "covert", "trafficking", "", "Insp. C"],
         [C, "C1", "Maria Popesku", "1990-01-01", "RO", "19900101-5555", "victim", "C-1"])
    load("a", [A, "Alfa", "Unit A", "2031-01-01", "normal", "procuring", "", "Insp. A"],
         [A, "A1", "Maria Popescu", "1990-01-01", "RO", "", "victim", "A-1"])
    ulla = bearer(make_user(settings, "ulla", "investigator", {A: "edit", B: "edit"}))
    maria = person_named(client, ulla, "Maria Popescu")
    joined = person_named(client, ulla, "Maria Popesku")
    batches.withdraw(store, settings, b_batch)
    assert api(client, f"/entities/{joined}", ulla).status_code == 404
    view = api(client, f"/entities/{maria}/network", ulla, explore=1)
    assert view.status_code == 200, view.json
    assert {n["id"] for n in view.json["nodes"]} == {maria, f"case:{A}"}, view.json["nodes"]
    entity = api(client, f"/entities/{maria}", ulla)
    assert entity.status_code == 200, entity.json
    assert joined not in entity.get_data(as_text=True), entity.json
