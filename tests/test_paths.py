"""The path finder: visible facts only, never through a case; k shortest; 404 for the unseen."""

from __future__ import annotations

from tests import fourcases, patterncases
from tests.fourcases import COVERT_PHONE, PHONE_ID
from tests.patterncases import HIDDEN_WORDS

four_cases = fourcases.four_cases  # the fixture
pattern_cases = patterncases.pattern_cases  # the fixture


def paths(client, headers, source, target, **params):
    return client.get("/api/v1/paths", query_string={"from": source, "to": target, **params},
                      headers=headers)


def test_a_longer_visible_path_is_found_when_the_shortest_crosses_a_hidden_case(client,
                                                                                pattern_cases):
    pia = pattern_cases.person(client, "vera", "Pia Start")
    quentin = pattern_cases.person(client, "vera", "Quentin End")
    response = paths(client, pattern_cases.headers["vera"], pia, quentin)
    assert response.status_code == 200, response.json
    body = response.json
    assert [p["hops"] for p in body["paths"]] == [3], body
    labels = [n["label"] for n in body["paths"][0]["nodes"]]
    assert labels == ["Pia Start", "Hotell Väst, Borås", "Rolf Ek", "Quentin End"], labels
    text = " ".join(s["text"] for s in body["paths"][0]["chain"])
    assert "Pia Start -stayed at (case K-2031-0001, D1-10; 2031-03-01)-> Hotell Väst, Borås" in text
    assert "Rolf Ek -associated with (case K-2031-0002, D2-13; kind acquaintance)-> Quentin End" \
        in text, text
    assert not any(w in response.get_data(as_text=True) for w in HIDDEN_WORDS)
    # hank sees the covert case: for him the 2-hop path through its phone is the shortest.
    pia_h = pattern_cases.person(client, "hank", "Pia Start")
    quentin_h = pattern_cases.person(client, "hank", "Quentin End")
    seen = paths(client, pattern_cases.headers["hank"], pia_h, quentin_h, k=2).json
    assert [p["hops"] for p in seen["paths"]] == [2, 3], seen
    assert seen["paths"][0]["nodes"][1]["id"] == "phone:+46709998877"


def test_a_path_only_through_a_hidden_case_is_not_found(client, pattern_cases):
    pia = pattern_cases.person(client, "vera", "Pia Start")
    tove = pattern_cases.person(client, "vera", "Tove Only")
    body = paths(client, pattern_cases.headers["vera"], pia, tove).json
    assert body["paths"] == [], body
    assert not any(w in str(body) for w in HIDDEN_WORDS)
    assert paths(client, pattern_cases.headers["hank"], pia, tove).json["paths"], \
        "the fixture's hidden path exists"


def test_paths_never_pass_through_a_case_node(client, pattern_cases):
    """Ana and Pia share only case K-2031-0001: no path, though the case holds both."""
    ana = pattern_cases.person(client, "vera", "Ana Pop")
    rolf = pattern_cases.person(client, "vera", "Rolf Ek")
    body = paths(client, pattern_cases.headers["vera"], ana, rolf, max_hops=8, k=3).json
    for path in body["paths"]:
        assert all(n["kind"] != "case" for n in path["nodes"]), path
        assert all(e["type"] not in ("INVOLVES", "MENTIONS") for e in path["edges"]), path


def test_k_shortest_paths_come_shortest_first_and_within_the_hop_limit(client, pattern_cases):
    ana = pattern_cases.person(client, "vera", "Ana Pop")
    elena = pattern_cases.person(client, "vera", "Elena Rus")
    body = paths(client, pattern_cases.headers["vera"], ana, elena, k=5, max_hops=4).json
    hops = [p["hops"] for p in body["paths"]]
    assert hops and hops == sorted(hops) and hops[0] == 2 and max(hops) <= 4, hops
    assert len({tuple(n["id"] for n in p["nodes"]) for p in body["paths"]}) == len(hops)
    short = paths(client, pattern_cases.headers["vera"], ana, elena, max_hops=1).json
    assert short["paths"] == []


def test_a_short_search_expands_both_ends_in_one_round_trip(client, store, pattern_cases):
    """While both frontiers are small, one round trip to the store expands both ends: the
    3-hop path from Pia to Quentin takes two expansion round trips, not three, and a hop
    limit of 3 still finds it (the second round trip expands one end only)."""
    pia = pattern_cases.person(client, "vera", "Pia Start")
    quentin = pattern_cases.person(client, "vera", "Quentin End")
    expansions = []
    read_all = store.read_all

    def counting(reads, **kwargs):
        names = [name for name, _params in reads]
        if "views/paths_expand" in names:
            expansions.append(len(names))
        return read_all(reads, **kwargs)

    store.read_all = counting
    try:
        found = paths(client, pattern_cases.headers["vera"], pia, quentin).json
        limited = paths(client, pattern_cases.headers["vera"], pia, quentin, max_hops=3).json
    finally:
        del store.read_all
    assert [p["hops"] for p in found["paths"]] == [3], found
    assert [p["hops"] for p in limited["paths"]] == [3], limited
    assert expansions == [2, 2, 2, 1], expansions


def test_a_busy_frontier_waits_for_the_other_side():
    """Both ends go out together only while both frontiers are small and two more hops fit:
    a side of more than PAIRED_FRONTIER nodes (a hotel's guests) is not read in advance."""
    from graphapp.services.paths import PAIRED_FRONTIER, _sides_to_expand

    start, target = 1, 2
    busy = list(range(100, 101 + PAIRED_FRONTIER))
    radius = {start: 1, target: 1}
    assert _sides_to_expand({start: [5], target: busy}, radius, start, target, 6) == [start]
    assert _sides_to_expand({start: busy, target: [5]}, radius, start, target, 6) == [target]
    assert _sides_to_expand({start: [5], target: [7]}, radius, start, target, 6) == [start, target]
    assert _sides_to_expand({start: [5], target: [7]}, {start: 2, target: 3}, start, target, 6) \
        == [start]  # one hop left


def test_an_invisible_end_answers_like_a_missing_one(client, four_cases):
    headers = four_cases.headers["ines"]
    hidden = paths(client, headers, PHONE_ID, "phone:" + COVERT_PHONE)
    missing = paths(client, headers, PHONE_ID, "phone:+48600000000")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json == missing.json
    found = paths(client, four_cases.headers["cora"], PHONE_ID, "phone:" + COVERT_PHONE).json
    assert [p["hops"] for p in found["paths"]] == [1]
    assert found["paths"][0]["chain"][0]["facts"][0]["verb"] == "called"


def test_bad_requests_are_400_and_cases_are_not_ends(client, four_cases):
    headers = four_cases.headers["ines"]
    assert paths(client, headers, PHONE_ID, "case:K-2030-0001").status_code == 400
    assert paths(client, headers, PHONE_ID, PHONE_ID).status_code == 400
    assert paths(client, headers, PHONE_ID, "x", max_hops=99).status_code == 400
    assert client.get("/api/v1/paths", headers=headers).json["error"]["code"] == "bad_parameter"


def test_a_path_search_is_audited(client, pattern_cases):
    from graphapp import audit

    pia = pattern_cases.person(client, "vera", "Pia Start")
    quentin = pattern_cases.person(client, "vera", "Quentin End")
    paths(client, pattern_cases.headers["vera"], pia, quentin)
    records = [r for r in audit.admin_view(pattern_cases.settings, action="path")]
    assert records and records[0]["actor"] == "vera", records


def test_the_page_shows_the_chain_and_lets_one_pick_an_ambiguous_name(client, pattern_cases):
    from tests.test_web import login

    login(client, "vera")
    page = client.get("/paths?from=Pia+Start&to=Quentin+End").get_data(as_text=True)
    assert "Path 1: 3 hop(s)" in page, page
    assert "stayed at" in page and "D1-10" in page
    assert 'id="path-data"' in page and "<script>" not in page
    assert not any(w in page for w in HIDDEN_WORDS)
    # "Hotell" matches three hotels: the page asks which one.
    page = client.get("/paths?from=Ana&to=Ioana").get_data(as_text=True)
    assert "Path 1:" in page, page
    pick = client.get("/paths?from=Hotell&to=Ioana+Marin").get_data(as_text=True)
    assert "matches several entities; pick one" in pick, pick
