"""The cross-case report: entities joining visible cases, hits by classification, nothing of
covert cases, and the case-to-case network."""

from __future__ import annotations

from tests import fourcases, patterncases
from tests.fourcases import PHONE_ID, UNITS, A, B, C, R
from tests.patterncases import D1, D2, HIDDEN_WORDS, PHONE

four_cases = fourcases.four_cases  # the fixture
pattern_cases = patterncases.pattern_cases  # the fixture


def report(client, headers, **params):
    response = client.get("/api/v1/links/cross-case", query_string=params, headers=headers)
    assert response.status_code == 200, response.json
    return response.json


def test_the_report_ranks_entities_of_several_cases_with_regions_and_dates(client, pattern_cases):
    body = report(client, pattern_cases.headers["vera"])
    by_label = {link["label"]: link for link in body["links"]}
    assert set(by_label) == {PHONE, "Viktor Sten", "Ioana Marin", "Hotell Väst, Borås"}, by_label
    phone = by_label[PHONE]
    assert phone["cases"] == [D1, D2]
    assert phone["regions"] == ["Polisregion Mitt", "Polisregion Nord"]
    assert (phone["first"], phone["last"]) == ("2031-01-01", "2031-02-01"), phone
    assert body["network"]["edges"] == [{
        "id": f"{D1}|{D2}", "source": "case:" + D1, "target": "case:" + D2, "type": "SHARES",
        "shared": 4, "by_kind": {"hotel": 1, "person": 2, "phone": 1}}]
    # Persons first among equals (two cases, two regions, no hits each).
    assert [link["kind"] for link in body["links"]] == ["person", "person", "phone", "hotel"]
    # Covert hits: nothing (no hit, no count); the covert owner is told instead.
    assert all(link["hits"] == [] and link["hit_count"] == 0 for link in body["links"])
    text = str(body)
    assert not any(w in text for w in HIDDEN_WORDS), text


def test_a_covert_owner_is_notified_when_the_report_touches_their_entities(client, pattern_cases):
    report(client, pattern_cases.headers["vera"])
    notes = client.get("/api/v1/notifications", headers=pattern_cases.headers["dora"]).json
    touched = {n["entity"]["id"] if isinstance(n.get("entity"), dict) else n.get("entity_id")
               for n in notes["notifications"]}
    assert "phone:" + PHONE in touched, notes
    assert all(n.get("looker") in (None, "vera") for n in notes["notifications"]), notes


def test_hits_follow_the_classification_rules(client, four_cases):
    body = report(client, four_cases.headers["ines"])
    links = {link["id"]: link for link in body["links"]}
    assert PHONE_ID in links, links
    assert links[PHONE_ID]["cases"] == [A, B]
    hits = links[PHONE_ID]["hits"]
    assert hits == [{"classification": "restricted", "unit": UNITS[R][0], "contact": UNITS[R][1]}]
    text = str(body)
    for word in (R, C, UNITS[C][0], UNITS[C][1], "Ewa Covert", "Sarah Lindh"):
        assert word not in text, word


def test_one_visible_case_links_nothing_and_counts_nothing(client, four_cases):
    body = report(client, four_cases.headers["olle"])
    assert body["links"] == [] and body["total"] == 0 and body["network"]["edges"] == []


def test_bad_parameters_and_roles(client, four_cases):
    headers = four_cases.headers["ines"]
    bad = client.get("/api/v1/links/cross-case?min_cases=1", headers=headers)
    assert bad.status_code == 400 and bad.json["error"]["code"] == "bad_parameter"
    assert client.get("/api/v1/links/cross-case?kinds=case", headers=headers).status_code == 400
    assert client.get("/api/v1/links/cross-case",
                      headers=four_cases.headers["pia"]).status_code == 403
    assert client.get("/api/v1/links/cross-case",
                      headers=four_cases.headers["adam"]).status_code == 403


def test_the_page_shows_the_report(client, pattern_cases):
    from tests.test_web import login

    login(client, "vera")
    page = client.get("/links").get_data(as_text=True)
    assert "4 entities link 2 or more of your cases" in page, page
    assert "Viktor Sten" in page and "Polisregion Nord" in page
    assert 'id="case-network"' in page
    assert not any(w in page for w in HIDDEN_WORDS)


def test_the_case_network_keeps_the_pairs_that_share_the_most_entities():
    # A-B share three entities, B-C two, A-C one: capped at two pairs, A-C is left out and
    # the network says how many pairs there are in all.
    from graphapp.services.links import _case_network
    from graphapp.store import Node

    kinds = {1: "phone", 2: "person", 3: "hotel", 4: "phone"}
    nodes = {nid: Node(id=f"{kind}:{nid}", kind=kind, key=str(nid)) for nid, kind in kinds.items()}
    cases_of = {1: ["A", "B"], 2: ["A", "B"], 3: ["A", "B", "C"], 4: ["B", "C"]}
    info = {c: {"case_id": c, "title": "T" + c, "unit": "U"} for c in "ABC"}

    capped = _case_network(info, nodes, cases_of, max_edges=2)
    assert [(e["id"], e["shared"], e["by_kind"]) for e in capped["edges"]] == [
        ("A|B", 3, {"hotel": 1, "person": 1, "phone": 1}), ("B|C", 2, {"hotel": 1, "phone": 1})]
    assert capped["edges_total"] == 3 and capped["truncated"] is True
    assert [n["id"] for n in capped["nodes"]] == ["case:A", "case:B", "case:C"]

    whole = _case_network(info, nodes, cases_of, max_edges=10)
    assert [(e["id"], e["shared"]) for e in whole["edges"]] == [("A|B", 3), ("A|C", 1), ("B|C", 2)]
    assert whole["truncated"] is False and whole["edges_total"] == 3


def test_the_case_network_counts_every_pair_as_a_plain_count_would():
    # Against the definition, pair by pair, on entities of many kinds, each in 1 to 12 of 30
    # cases: the same pairs, counts by kind, order, cap and totals.
    from itertools import combinations
    from random import Random

    from graphapp.services.links import KINDS, _case_network
    from graphapp.store import Node

    rng = Random(7)
    case_ids = [f"C-{i:02d}" for i in range(30)]
    nodes, cases_of = {}, {}
    for nid in range(400):
        kind = rng.choice(KINDS)
        nodes[nid] = Node(id=f"{kind}:{nid}", kind=kind, key=str(nid))
        cases_of[nid] = sorted(rng.sample(case_ids, rng.randint(1, 12)), key=lambda _: rng.random())
    info = {c: {"case_id": c, "title": "T", "unit": "U"} for c in case_ids}
    expected: dict[tuple[str, str], dict[str, int]] = {}
    for nid, cases in cases_of.items():
        for pair in combinations(sorted(cases), 2):
            by_kind = expected.setdefault(pair, {})
            by_kind[nodes[nid].kind] = by_kind.get(nodes[nid].kind, 0) + 1
    ranked = sorted(expected, key=lambda p: (-sum(expected[p].values()), p))

    for cap in (1, 25, 10_000):
        network = _case_network(info, nodes, cases_of, max_edges=cap)
        kept = sorted(ranked[:cap])
        assert [e["id"] for e in network["edges"]] == [f"{a}|{b}" for a, b in kept]
        assert [(e["shared"], e["by_kind"]) for e in network["edges"]] == [
            (sum(expected[p].values()), dict(sorted(expected[p].items()))) for p in kept]
        assert network["edges_total"] == len(expected)
        assert network["truncated"] is (len(expected) > cap)
        assert [n["id"] for n in network["nodes"]] == sorted({"case:" + c for p in kept for c in p})
    assert _case_network(info, nodes, {1: ["C-01"]}, max_edges=5)["edges"] == []
