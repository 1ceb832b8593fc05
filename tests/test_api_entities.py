"""Entities and networks through the JSON API: shapes, compartments, labels, masking, errors.

Real HTTP through Flask's test client, the real embedded store and the demo scenario
(ingest/demo.py): the investigator is a member of K-2024-0113 and K-2024-0287; the analyst of
K-2024-0113 and K-2024-0342.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import quote

import pytest

from graphapp import create_app, model
from ingest.loader import load_directory
from tests.conftest import INVESTIGATOR_CASES, bearer, make_user
from tests.csvfiles import write_files

PHONE = "phone:+46701234567"  # in K-2024-0113, K-2024-0287 and (hidden) K-2024-0342
HIDDEN_PHONE = "phone:+40744123987"  # only in K-2024-0342 and K-2025-0019
#: Keys of the store's own bookkeeping: never in a response.
INTERNAL_KEYS = ("case_ids", "match_keys", "batch_id", "rel_key", "pending_case")
NODE_KEYS = {"id", "kind", "label", "cases"}
EDGE_KEYS = {"id", "source", "target", "type", "case_id", "source_ref"}


def write_csv(directory: Path, name: str, header: list[str], rows: list[list[str]]) -> None:
    write_files(directory, {name: (header, rows)})


def load(directory: Path, store, settings):
    result = load_directory(directory, store, settings)
    assert result.ok, [str(p) for p in result.problems]
    return result


def api_get(client, path: str, headers, **query):
    response = client.get("/api/v1" + path, query_string=query, headers=headers)
    assert response.is_json, (path, response.status_code, response.get_data(as_text=True)[:300])
    return response


def search_ids(client, headers, q: str) -> list[dict]:
    response = api_get(client, "/search", headers, q=q)
    assert response.status_code == 200, response.json
    return response.json["results"]


# -- GET /entities/{id} -------------------------------------------------------------------------


@pytest.mark.parametrize("entity_id", ["phone:+46701234567", "phone:%2B46701234567"])
def test_entity_shows_the_phone_with_visible_facts_and_cases_only(client, investigator, entity_id):
    response = api_get(client, f"/entities/{entity_id}", investigator)
    assert response.status_code == 200, response.json
    body = response.json
    assert body["entity"] == {"id": PHONE, "kind": "phone", "label": "+46701234567",
                              "cases": ["K-2024-0113", "K-2024-0287"]}, body["entity"]
    # K-2024-0342 (restricted) holds it too: a hit with its unit and contact, not its id.
    assert body["hits"] == [{"classification": "restricted",
                             "unit": "Noa, nationella operativa avdelningen",
                             "contact": "Kriminalinsp. Eva Lind, 010-563 33 42"}], body["hits"]
    assert [c["case_id"] for c in body["cases"]] == ["K-2024-0113", "K-2024-0287"], body["cases"]
    assert body["cases"][0]["title"] == "Koppleri vid hotell längs E4, Jönköping", body["cases"][0]

    facts = body["facts"]
    seen = {(f["type"], f["other"]["kind"], f["case_id"], f["source"]) for f in facts}
    assert {
        ("MENTIONS", "case", "K-2024-0113", "A-2024-0113-01"),
        ("MENTIONS", "case", "K-2024-0287", "A-2024-0287-11"),
        ("USES", "person", "K-2024-0113", "A-2024-0113-01"),
    } <= seen, seen
    assert {f["case_id"] for f in facts} == {"K-2024-0113", "K-2024-0287"}, seen
    for fact in facts:
        assert {"type", "other", "case_id", "source"} <= set(fact), fact
        assert set(fact["other"]) >= {"id", "kind", "label"}, fact
    uses = next(f for f in facts if f["type"] == "USES")
    assert uses["other"]["label"] == "Andrei Popescu", uses
    text = response.get_data(as_text=True)
    assert "K-2024-0342" not in text and "JIT-07" not in text, "hidden case leaked: " + text


def test_hidden_missing_and_malformed_ids_answer_the_same_404(client, investigator):
    answers = {}
    for entity_id in (HIDDEN_PHONE, quote(HIDDEN_PHONE, safe=":"), "phone:+46700000000",
                      "case:K-2024-0342", "case:K-1999-0001", "nonsense", "planet:x", "phone:"):
        response = client.get(f"/api/v1/entities/{entity_id}", headers=investigator)
        answers[entity_id] = (response.status_code, response.get_data(as_text=True))
    bodies = set(answers.values())
    assert len(bodies) == 1, answers
    status, text = bodies.pop()
    assert status == 404, answers
    assert json.loads(text) == {"error": {"code": "not_found",
                                          "message": "No such entity, or not one you may see."}}, text
    # The same holds for the network of an invisible or unknown entity.
    hidden = client.get(f"/api/v1/entities/{HIDDEN_PHONE}/network", headers=investigator)
    missing = client.get("/api/v1/entities/phone:+46700000000/network", headers=investigator)
    assert (hidden.status_code, hidden.data) == (missing.status_code, missing.data), \
        (hidden.data, missing.data)
    assert hidden.status_code == 404, hidden.data


def test_a_visible_case_is_an_entity_too(client, investigator):
    response = api_get(client, "/entities/case:K-2024-0113", investigator)
    assert response.status_code == 200, response.json
    assert response.json["entity"] == {"id": "case:K-2024-0113", "kind": "case", "label": "K-2024-0113",
                                        "cases": ["K-2024-0113"]}, response.json["entity"]
    assert {f["case_id"] for f in response.json["facts"]} == {"K-2024-0113"}, response.json["facts"]


# -- labels come from visible facts only --------------------------------------------------------


@pytest.fixture
def renamed_in_hidden_case(tmp_path, demo_store, settings):
    """Johan Karlsson (K-2024-0113) is recorded as 'Jan Karlsen' by the hidden K-2024-0342."""
    d = tmp_path / "renamed"
    write_csv(d, "persons.csv",
              ["case_id", "person_ref", "name", "birth_date", "nationality", "national_id", "role",
               "source"],
              [["K-2024-0342", "S9", "Jan Karlsen", "1971-11-30", "SE", "197111309876", "witness",
                "JIT-07-FR-099"]])
    result = load(d, demo_store, settings)
    assert result.joins, "the hidden record should join Johan Karlsson on his national id"
    return demo_store


def test_a_person_is_labelled_only_by_visible_names(client, investigator, analyst, renamed_in_hidden_case):
    assert search_ids(client, investigator, "Karlsen") == [], "a hidden name is searchable"
    hits = search_ids(client, investigator, "Johan")
    assert [(h["kind"], h["label"], h["cases"]) for h in hits] == [
        ("person", "Johan Karlsson", ["K-2024-0113"])], hits
    person_id = hits[0]["id"]

    # The analyst sees both records on the one person: the join really happened.
    both = api_get(client, f"/entities/{quote(person_id)}", analyst).json
    names = sorted(f["properties"]["name"] for f in both["facts"] if f["type"] == "INVOLVES")
    assert names == ["Jan Karlsen", "Johan Karlsson"], both["facts"]

    entity = api_get(client, f"/entities/{quote(person_id)}", investigator)
    assert entity.status_code == 200, entity.json
    assert entity.json["entity"]["label"] == "Johan Karlsson", entity.json["entity"]
    assert entity.json["entity"]["cases"] == ["K-2024-0113"], entity.json["entity"]
    network = api_get(client, f"/entities/{quote(person_id)}/network", investigator, hops=2)
    assert network.status_code == 200, network.json
    me = [n for n in network.json["nodes"] if n["id"] == person_id]
    assert [n["label"] for n in me] == ["Johan Karlsson"], network.json["nodes"]
    for response in (entity, network):
        text = response.get_data(as_text=True)
        assert "Karlsen" not in text and "JIT-07-FR-099" not in text, text


def test_national_ids_are_masked_and_bookkeeping_never_leaves(client, investigator):
    johan = search_ids(client, investigator, "Johan Karlsson")[0]["id"]
    andrei = search_ids(client, investigator, "Andrei")[0]["id"]
    responses = [
        api_get(client, "/search", investigator, q="maria"),
        api_get(client, "/search", investigator, q="070 123 45 67"),
        api_get(client, f"/entities/{quote(johan)}", investigator),
        api_get(client, f"/entities/{quote(andrei)}", investigator),
        api_get(client, "/entities/phone:%2B46701234567", investigator),
        api_get(client, "/entities/case:K-2024-0113", investigator),
        api_get(client, "/entities/phone:%2B46701234567/network", investigator, hops=3),
        api_get(client, f"/entities/{quote(johan)}/network", investigator, hops=3),
    ]
    assert [r.status_code for r in responses] == [200] * len(responses)

    involves = [f for f in responses[2].json["facts"] if f["type"] == "INVOLVES"]
    assert len(involves) == 1, responses[2].json["facts"]
    masked = involves[0]["properties"]["national_id"]
    assert masked.endswith("9876") and masked[:-4].strip("•") == "" and len(masked) == 12, masked

    for response in responses:
        text = response.get_data(as_text=True)
        assert "197111309876" not in text and "19711130" not in text, text
        for key in INTERNAL_KEYS:
            assert key not in text, (key, response.request.path, text[:500])
        for fact in response.json.get("facts", []):
            assert not set(fact["properties"]) & set(INTERNAL_KEYS), fact


# -- GET /entities/{id}/network -----------------------------------------------------------------


def test_network_has_the_documented_shape_and_only_visible_facts(client, investigator):
    for hops in (1, 2, 3):
        response = api_get(client, "/entities/phone:%2B46701234567/network", investigator, hops=hops)
        assert response.status_code == 200, response.json
        view = response.json
        assert set(view) == {"nodes", "edges", "truncated"}, view
        assert view["truncated"] is False, (hops, view)
        ids = [n["id"] for n in view["nodes"]]
        assert len(ids) == len(set(ids)), ids
        assert PHONE in ids, ids
        for node in view["nodes"]:
            assert set(node) == NODE_KEYS, node
            assert node["cases"] and set(node["cases"]) <= set(INVESTIGATOR_CASES), node
        for edge in view["edges"]:
            assert set(edge) == EDGE_KEYS, edge
            assert edge["case_id"] in INVESTIGATOR_CASES, edge
            assert edge["source"] in ids and edge["target"] in ids, edge
            assert edge["source_ref"], edge
        assert "K-2024-0342" not in response.get_data(as_text=True), (hops, view)
        # Every node is within `hops` of the phone over the returned edges, never via a Case.
        distance = reach_without_cases(view, PHONE)
        assert set(distance) == set(ids), (hops, sorted(set(ids) - set(distance)))
        assert max(distance.values()) <= hops, (hops, distance)
    one = api_get(client, "/entities/phone:%2B46701234567/network", investigator, hops=1).json
    kinds = sorted(n["kind"] for n in one["nodes"])
    assert kinds.count("case") == 2 and "person" in kinds, one["nodes"]
    assert "Andrei Popescu" in {n["label"] for n in one["nodes"]}, one["nodes"]


def reach_without_cases(view: dict, start: str) -> dict[str, int]:
    """Hops from ``start`` to each node over the view's edges, expanding no Case node."""
    kind = {n["id"]: n["kind"] for n in view["nodes"]}
    neighbours: dict[str, set[str]] = {}
    for e in view["edges"]:
        neighbours.setdefault(e["source"], set()).add(e["target"])
        neighbours.setdefault(e["target"], set()).add(e["source"])
    distance, frontier = {start: 0}, [start]
    while frontier:
        nxt = []
        for node in frontier:
            if kind.get(node) == "case":
                continue
            for other in neighbours.get(node, ()):
                if other not in distance:
                    distance[other] = distance[node] + 1
                    nxt.append(other)
        frontier = nxt
    return distance


@pytest.fixture
def small_graph(tmp_path, store, settings):
    """K-A mentions phone P, hotel H (no other link to P), person X using P living at A;
    hidden K-B has person Y using P."""
    d = tmp_path / "small"
    write_csv(d, "cases.csv", ["case_id", "title", "unit"],
              [["K-A", "Case A", "Unit A"], ["K-B", "Case B", "Unit B"]])
    write_csv(d, "persons.csv", ["case_id", "person_ref", "name", "role", "source"],
              [["K-A", "X", "Xavier Exempel", "suspect", "SRC-A-1"],
               ["K-B", "Y", "Yusuf Dold", "suspect", "SRC-B-1"]])
    write_csv(d, "phones.csv", ["case_id", "number", "person_ref", "source"],
              [["K-A", "070-111 22 33", "X", "SRC-A-2"], ["K-B", "070-111 22 33", "Y", "SRC-B-2"]])
    write_csv(d, "addresses.csv", ["case_id", "street", "postcode", "city", "country", "person_ref",
                                   "source"],
              [["K-A", "Storgatan 1", "903 26", "Umeå", "SE", "X", "SRC-A-3"]])
    write_csv(d, "hotels.csv", ["case_id", "hotel_name", "city", "country", "source"],
              [["K-A", "Hotell Mitt", "Umeå", "SE", "SRC-A-4"]])
    load(d, store, settings)
    return bearer(make_user(settings, "kim", "investigator", {"K-A": "read"}))


def test_expansion_never_passes_through_a_case_node(client, small_graph):
    hotels = [r for r in search_ids(client, small_graph, "Hotell Mitt") if r["kind"] == "hotel"]
    assert len(hotels) == 1, hotels  # the hotel is visible: its absence below is the rule's doing
    hotel_net = api_get(client, f"/entities/{quote(hotels[0]['id'])}/network", small_graph, hops=1).json
    assert sorted(n["id"] for n in hotel_net["nodes"]) == sorted([hotels[0]["id"], "case:K-A"]), hotel_net

    view = api_get(client, "/entities/phone:%2B46701112233/network", small_graph, hops=3)
    assert view.status_code == 200, view.json
    kinds = sorted(n["kind"] for n in view.json["nodes"])
    # The phone, its visible case as a leaf, Xavier, and Xavier's address: no hotel, no Yusuf.
    assert kinds == ["address", "case", "person", "phone"], view.json["nodes"]
    labels = {n["label"] for n in view.json["nodes"]}
    assert "Xavier Exempel" in labels and "Yusuf Dold" not in labels, labels
    assert {e["case_id"] for e in view.json["edges"]} == {"K-A"}, view.json["edges"]
    assert {e["source_ref"] for e in view.json["edges"]} <= {"SRC-A-1", "SRC-A-2", "SRC-A-3"}, view.json
    text = view.get_data(as_text=True)
    assert "K-B" not in text and "SRC-B" not in text and "Hotell Mitt" not in text, text


@pytest.mark.parametrize("query", [{"hops": "0"}, {"hops": "4"}, {"limit": "0"}, {"hops": "abc"},
                                   {"limit": "10001"}, {"limit": "x"}, {"per_node": "0"}])
def test_network_rejects_bad_parameters(client, investigator, query):
    response = client.get("/api/v1/entities/phone:%2B46701234567/network", query_string=query,
                          headers=investigator)
    assert response.status_code == 400, (query, response.status_code, response.data)
    error = response.json["error"]
    assert set(error) == {"code", "message"} and error["code"] == "bad_parameter", error
    assert error["message"], error


def test_network_limit_truncates(client, investigator):
    response = api_get(client, "/entities/phone:%2B46701234567/network", investigator, hops=2, limit=2)
    assert response.status_code == 200, response.json
    view = response.json
    assert view["truncated"] is True, view
    assert 1 <= len(view["nodes"]) <= 2, view["nodes"]
    ids = {n["id"] for n in view["nodes"]}
    assert PHONE in ids, ids
    assert all(e["source"] in ids and e["target"] in ids for e in view["edges"]), view


@pytest.mark.parametrize("kind", [k.kind for k in model.ENTITY_KINDS.values()])
def test_a_network_starts_from_every_kind_of_entity(client, investigator, demo_store, kind):
    """A 2-hop view from a case, a person, a phone, an address, a hotel and an advert: the
    entity first, then neighbours, every node joined by a drawn fact."""
    label = model.entity_kind(kind)
    allowed = sorted(INVESTIGATOR_CASES)
    keys = [row[0] for row in demo_store._graph.ro_query(
        f"MATCH (n:{label.label}) WHERE any(c IN coalesce(n.case_ids, [n.case_id]) "
        f"WHERE c IN $allowed) RETURN n.{label.key} ORDER BY n.{label.key} LIMIT 3",
        {"allowed": allowed}).result_set]
    assert keys, f"the demo gives the investigator no {kind}"
    for key in keys:
        entity_id = label.entity_id(key)
        view = api_get(client, f"/entities/{quote(entity_id, safe=':')}/network", investigator,
                       hops=2).json
        assert view["nodes"][0]["id"] == entity_id, view["nodes"][:1]
        ids = {n["id"] for n in view["nodes"]}
        assert len(ids) > 1 and view["edges"], (entity_id, view)
        joined = {e["source"] for e in view["edges"]} | {e["target"] for e in view["edges"]}
        assert ids == joined, (entity_id, ids - joined)


def test_a_fact_withdrawn_between_the_reads_of_a_view_leaves_its_nodes_out(client, store,
                                                                              settings, tmp_path):
    """A 2-hop view reads the neighbours of both hops first and their facts after. A batch
    withdrawn in between takes away the only fact joining the phone to Xavier: Xavier is not
    drawn, nor what lies beyond him (his other phone, whose fact with him another batch
    states), and the answer is still a view, not an error."""
    first = tmp_path / "first"
    write_csv(first, "cases.csv", ["case_id", "title", "unit"], [["K-A", "Case A", "Unit A"]])
    write_csv(first, "persons.csv", ["case_id", "person_ref", "name", "source"],
              [["K-A", "X", "Xavier Exempel", "SRC-1"]])
    write_csv(first, "phones.csv", ["case_id", "number", "person_ref", "source"],
              [["K-A", "070-111 22 33", "", "SRC-2"], ["K-A", "070-444 55 66", "X", "SRC-3"]])
    load(first, store, settings)
    second = tmp_path / "second"
    write_csv(second, "phones.csv", ["case_id", "number", "person_ref", "source"],
              [["K-A", "070-111 22 33", "X", "SRC-4"]])
    batch_id = load(second, store, settings).batch_id
    headers = bearer(make_user(settings, "kim", "investigator", {"K-A": "read"}))
    path = "/entities/phone:%2B46701112233/network"

    before = api_get(client, path, headers, hops=2).json
    assert {n["label"] for n in before["nodes"]} == {
        "+46701112233", "K-A", "Xavier Exempel", "+46704445566"}, before["nodes"]

    from ingest import batches
    read_all = store.read_all
    calls = []

    def withdraw_after_the_neighbours(reads, **kwargs):
        answers = read_all(reads, **kwargs)
        calls.append([name for name, _params in reads])
        if any(name == "views/neighbours_start" for name, _params in reads):
            batches.withdraw(store, settings, batch_id)
        return answers

    store.read_all = withdraw_after_the_neighbours
    try:
        after = api_get(client, path, headers, hops=2)
    finally:
        del store.read_all
    assert len(calls) == 2 and "views/neighbours_start" in calls[0], calls  # it did run between
    assert after.status_code == 200, after.json
    assert {n["label"] for n in after.json["nodes"]} == {"+46701112233", "K-A"}, after.json
    ids = {n["id"] for n in after.json["nodes"]}
    assert all(e["source"] in ids and e["target"] in ids for e in after.json["edges"]), after.json
    assert {e["source_ref"] for e in after.json["edges"]} == {"SRC-2"}, after.json["edges"]


# -- roles and outages --------------------------------------------------------------------------


def test_a_prosecutor_cannot_browse_the_live_graph(client, settings, demo_store):
    headers = bearer(make_user(settings, "pia", "prosecutor", INVESTIGATOR_CASES))
    for path in ("/search?q=maria", "/entities/phone:%2B46701234567",
                 "/entities/phone:%2B46701234567/network"):
        response = client.get("/api/v1" + path, headers=headers)
        assert response.status_code == 403, (path, response.status_code, response.data)
        assert response.json["error"]["code"] == "forbidden", response.json
        assert "Andrei" not in response.get_data(as_text=True)
    # Said in words, not as the action's internal name.
    assert response.json["error"]["message"] == (
        "your role does not allow you to draw and expand an entity's network"), response.json


def test_an_admin_without_memberships_sees_no_case_data(client, settings, demo_store):
    headers = bearer(make_user(settings, "adam", "admin", {}))
    for path in ("/entities/phone:%2B46701234567", "/entities/phone:%2B46701234567/network",
                 "/entities/case:K-2024-0113"):
        response = client.get("/api/v1" + path, headers=headers)
        assert response.status_code in (403, 404), (path, response.status_code, response.data)
        text = response.get_data(as_text=True)
        assert "K-2024" not in text and "Andrei" not in text, text
    search = client.get("/api/v1/search?q=andrei", headers=headers)
    assert search.status_code == 403 or search.json == {"results": []}, search.data


def test_an_admin_who_is_a_case_member_sees_that_case(client, settings, demo_store):
    headers = bearer(make_user(settings, "adam", "admin", {"K-2024-0113": "read"}))
    response = client.get("/api/v1/entities/phone:%2B46701234567", headers=headers)
    assert response.status_code == 200, response.data
    assert response.json["entity"]["cases"] == ["K-2024-0113"], response.json
    hidden = client.get("/api/v1/entities/phone:%2B40744123987", headers=headers)
    assert hidden.status_code == 404, hidden.data


def test_store_down_answers_503_for_entity_and_network(settings, store):
    down = dataclasses.replace(settings, graph_url="bolt://127.0.0.1:1", graph_password="s3cret-pw",
                               store_timeout=1)
    headers = bearer(make_user(down, "ines", "investigator", INVESTIGATOR_CASES))
    client = create_app(down, {"TESTING": True}).test_client()
    for path in ("/entities/phone:%2B46701234567", "/entities/phone:%2B46701234567/network?hops=2"):
        response = client.get("/api/v1" + path, headers=headers)
        assert response.status_code == 503, (path, response.status_code, response.data)
        assert response.json["error"]["code"] == "store_unavailable", response.json
        text = response.get_data(as_text=True)
        assert "s3cret" not in text and "127.0.0.1" not in text and "Traceback" not in text, text
