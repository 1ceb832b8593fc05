"""Network measures on a view's visible subgraph (networkx)."""

from __future__ import annotations

from graphapp.services import analysis
from tests import patterncases
from tests.patterncases import HIDDEN_WORDS

pattern_cases = patterncases.pattern_cases  # the fixture


def _view(edges, kinds=None):
    ids = sorted({x for e in edges for x in e})
    kinds = kinds or {}
    return {"nodes": [{"id": i, "kind": kinds.get(i, "person"), "label": i.upper(), "cases": []}
                      for i in ids],
            "edges": [{"source": a, "target": b} for a, b in edges]}


def test_two_groups_joined_by_a_broker():
    # Two triangles a-b-c and x-y-z, joined through m: m is the broker, its links are bridges.
    view = _view([("a", "b"), ("b", "c"), ("a", "c"), ("c", "m"), ("m", "x"), ("x", "y"),
                  ("y", "z"), ("x", "z")])
    result = analysis.analyse(view)
    first = result["nodes"][0]
    assert first["id"] == "m" and first["articulation"], result["nodes"]
    assert {n["id"] for n in result["nodes"] if n["articulation"]} == {"c", "m", "x"}
    assert result["bridges"] == [["c", "m"], ["m", "x"]]
    assert result["communities"] == 2 and result["components"] == 1
    groups = {n["id"]: n["community"] for n in result["nodes"]}
    assert groups["a"] == groups["b"] and groups["y"] == groups["z"] and groups["a"] != groups["y"]
    again = analysis.analyse(view)
    assert again == result, "Louvain with a fixed seed gives the same groups every time"


def test_cases_are_left_out_unless_asked():
    view = _view([("case:k", "a"), ("case:k", "b"), ("a", "c")], kinds={"case:k": "case"})
    assert "case:k" not in {n["id"] for n in analysis.analyse(view)["nodes"]}
    with_cases = analysis.analyse(view, include_cases=True)
    assert with_cases["nodes"][0]["id"] in ("case:k", "a")
    assert analysis.analyse(view)["components"] == 2


def test_the_api_and_page_analyse_the_visible_network(client, pattern_cases):
    person = pattern_cases.person(client, "vera", "Viktor Sten")
    response = client.get(f"/api/v1/entities/{person}/network/analysis?hops=3",
                          headers=pattern_cases.headers["vera"])
    assert response.status_code == 200, response.json
    body = response.json
    labels = {n["label"] for n in body["analysis"]["nodes"]}
    assert {"Viktor Sten", "Ioana Marin", "Elena Rus"} <= labels, labels
    assert not any(w in response.get_data(as_text=True) for w in HIDDEN_WORDS)
    assert all("community" in n for n in body["nodes"] if n["kind"] != "case")
    from tests.test_web import login

    login(client, "vera")
    page = client.get(f"/entities/{person}/analysis").get_data(as_text=True)
    assert 'id="analysis-table"' in page and "Betweenness" in page and "Viktor Sten" in page
    assert not any(w in page for w in HIDDEN_WORDS)
