"""The Neo4j backend without a server: value conversion on real driver objects, error mapping,
the schema file, and an unreachable server.

Driver objects are built the way the driver builds them (``neo4j.graph.Graph`` with ``Node`` and
a relationship class from ``Graph.relationship_type``; endpoints set as the hydrator sets them),
which holds for neo4j 5.28 and 6.x.
"""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import neo4j.exceptions as nx
import pytest
from neo4j.graph import Graph
from neo4j.graph import Node as DriverNode
from neo4j.graph import Path as DriverPath
from neo4j.spatial import CartesianPoint, WGS84Point
from neo4j.time import Date, DateTime, Duration, Time

from graphapp import model
from graphapp.settings import PROJECT_ROOT, Settings
from graphapp.store import StoreError, StoreUnavailable
from graphapp.store.neo4j import Neo4jStore, database_name, to_neutral
from graphapp.store.queries import parse_query_file
from graphapp.store.types import Node, Relationship
from graphapp.store.types import Path as NeutralPath

CYPHER = PROJECT_ROOT / "cypher"
PASSWORD = "pa55-not-in-messages"


def _node(graph: Graph, element_id: str, labels: list[str], props: dict) -> DriverNode:
    node = DriverNode(graph, element_id, 0, labels, props)
    graph._nodes[element_id] = node
    return node


def _rel(graph: Graph, element_id: str, rel_type: str, start, end, props: dict):
    rel = graph.relationship_type(rel_type)(graph, element_id, 0, props)
    rel._start_node, rel._end_node = start, end
    graph._relationships[element_id] = rel
    return rel


@pytest.fixture
def graph() -> Graph:
    return Graph()


@pytest.fixture
def case(graph):
    return _node(graph, "n1", ["Case"], {"case_id": "K-1", "title": "T", "case_ids": ["K-1"]})


@pytest.fixture
def phone(graph):
    return _node(graph, "n2", ["Phone"], {"e164": "+46701234567", "case_ids": ["K-1", "K-2"]})


@pytest.fixture
def mentions(graph, case, phone):
    props = {"rel_key": "rk1", "case_id": "K-1", "source": "R-7", "pending_case": "K-1"}
    return _rel(graph, "r1", "MENTIONS", case, phone, props)


# -- scalars, temporal and spatial values ----------------------------------------------------


@pytest.mark.parametrize("value", [None, True, 0, 42, 1.5, "text", ""])
def test_plain_values_pass_through(value):
    assert to_neutral(value) == value


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Date(2024, 1, 2), "2024-01-02"),
        (DateTime(2024, 1, 2, 3, 4, 5, 123456789), "2024-01-02T03:04:05.123456789"),
        (
            DateTime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            "2024-01-02T03:04:05.000000000+00:00",
        ),
        (Time(3, 4, 5, 1), "03:04:05.000000001"),
        (Duration(months=1, days=2, seconds=3), "P1M2DT3S"),
        (dt.date(2024, 1, 2), "2024-01-02"),
        (dt.datetime(2024, 1, 2, 3, 4, 5), "2024-01-02T03:04:05"),
        (dt.time(3, 4), "03:04:00"),
    ],
)
def test_temporal_values_become_iso_strings(value, expected):
    assert to_neutral(value) == expected


def test_points_become_maps():
    assert to_neutral(WGS84Point((18.07, 59.33))) == {"srid": 4326, "x": 18.07, "y": 59.33}
    assert to_neutral(CartesianPoint((1, 2, 3))) == {"srid": 9157, "x": 1.0, "y": 2.0, "z": 3.0}


def test_lists_and_maps_are_converted_recursively(graph, case):
    value = {"dates": [Date(2024, 5, 1), None], "inner": {"node": case, "d": Duration(days=1)}}
    assert to_neutral(value) == {
        "dates": ["2024-05-01", None],
        "inner": {"node": to_neutral(case), "d": "P1D"},
    }


# -- graph values ----------------------------------------------------------------------------


def test_node_becomes_neutral_node_without_internal_properties(graph):
    person = _node(
        graph,
        "n3",
        ["Person"],
        {
            "person_id": "p-1",
            "match_keys": ["h1", "h2"],
            "case_ids": ["K-1"],
            "seen": Date(2024, 1, 1),
        },
    )
    node = to_neutral(person)
    assert node == Node(id="person:p-1", kind="person", key="p-1")
    assert node.properties == {"person_id": "p-1", "seen": "2024-01-01"}


def test_node_with_unknown_label_is_refused(graph):
    with pytest.raises(StoreError, match="not an entity kind"):
        to_neutral(_node(graph, "n9", ["Account"], {"name": "x"}))


def test_node_without_its_key_is_refused(graph):
    with pytest.raises(StoreError, match="without its key"):
        to_neutral(_node(graph, "n9", ["Phone"], {"case_ids": ["K-1"]}))


def test_relationship_becomes_neutral_relationship(mentions):
    rel = to_neutral(mentions)
    assert isinstance(rel, Relationship)
    assert (rel.id, rel.type, rel.start, rel.end) == (
        "rk1",
        "MENTIONS",
        "case:K-1",
        "phone:+46701234567",
    )
    assert rel.properties == {"rel_key": "rk1", "case_id": "K-1", "source": "R-7"}


def test_relationship_without_rel_key_is_refused(graph, case, phone):
    rel = _rel(graph, "r2", "MENTIONS", case, phone, {"case_id": "K-1"})
    with pytest.raises(StoreError, match="without its rel_key"):
        to_neutral(rel)


def test_relationship_whose_endpoints_were_not_returned_is_refused(graph):
    bare_start, bare_end = DriverNode(graph, "n7", 7), DriverNode(graph, "n8", 8)
    rel = _rel(graph, "r3", "USES", bare_start, bare_end, {"rel_key": "rk3"})
    with pytest.raises(StoreError, match="must return both endpoints"):
        to_neutral(rel)


def test_path_keeps_order_and_true_directions(graph, case, phone, mentions):
    person = _node(graph, "n3", ["Person"], {"person_id": "p-1"})
    uses = _rel(graph, "r4", "USES", person, phone, {"rel_key": "rk4", "case_id": "K-1"})
    path = to_neutral(DriverPath(case, mentions, uses))
    assert isinstance(path, NeutralPath)
    assert [n.id for n in path.nodes] == ["case:K-1", "phone:+46701234567", "person:p-1"]
    assert [(r.start, r.end) for r in path.relationships] == [
        ("case:K-1", "phone:+46701234567"),
        ("person:p-1", "phone:+46701234567"),
    ]


def test_internal_properties_never_leave(graph, case, phone, mentions):
    row = {"c": case, "p": phone, "m": mentions, "path": DriverPath(case, mentions), "l": [phone]}
    text = repr(to_neutral(row)) + repr([v.to_dict() for v in to_neutral([case, phone, mentions])])
    for name in (*model.INTERNAL_NODE_PROPERTIES, *model.INTERNAL_REL_PROPERTIES):
        assert name not in text


def _hydrate():
    """The driver's own Bolt 5 hydration hook, or skip if this driver version moved it."""
    try:
        from neo4j._codec.packstream import Structure

        try:
            from neo4j._codec.hydration.bolt.v2 import HydrationHandler  # neo4j 6
        except ImportError:
            from neo4j._codec.hydration.v2 import HydrationHandler  # neo4j 5
    except ImportError:
        pytest.skip("the driver's hydration module moved")
    return Structure, HydrationHandler().new_hydration_scope().hydration_hooks[Structure]


def test_driver_fills_endpoints_from_nodes_returned_in_the_same_result():
    Structure, hydrate = _hydrate()
    rel = hydrate(Structure(b"R", 1, 10, 11, "MENTIONS", {"rel_key": "k"}, "r1", "n10", "n11"))
    with pytest.raises(StoreError, match="endpoint"):
        to_neutral(rel)
    hydrate(Structure(b"N", 10, ["Case"], {"case_id": "K-1"}, "n10"))
    hydrate(Structure(b"N", 11, ["Phone"], {"e164": "+4670"}, "n11"))
    assert to_neutral(rel).start == "case:K-1"


# -- database name ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"), [("casegraph", None), ("", None), ("neo4j", "neo4j"), ("cases", "cases")]
)
def test_database_name_rule(tmp_path, name, expected):
    settings = Settings(data_dir=tmp_path, graph_url="bolt://x:7687", graph_name=name)
    assert database_name(settings) == expected


# -- query files -----------------------------------------------------------------------------


def test_schema_file_covers_every_kind():
    query = parse_query_file(CYPHER / "schema/setup.neo4j.cypher", CYPHER)
    assert query.description and not query.params
    text = "\n".join(query.statements)
    for kind in model.ENTITY_KINDS.values():
        assert f"FOR (n:{kind.label}) REQUIRE n.{kind.key} IS UNIQUE" in text
    for rel_type in model.RELATION_KINDS:
        for prop in ("rel_key", "case_id", "pending_case"):
            assert f"FOR ()-[r:{rel_type}]-() ON (r.{prop})" in text
    assert all("IF NOT EXISTS" in s for s in query.statements[:-1])
    assert query.statements[-1].startswith("CALL db.awaitIndexes")


def test_drop_all_file_is_batched():
    query = parse_query_file(CYPHER / "admin/drop_all.neo4j.cypher", CYPHER)
    assert query.description and query.params == {"batch": "int"}
    assert len(query.statements) == 2
    assert all("LIMIT $batch" in s and "AS deleted" in s for s in query.statements)


# -- the store without a server --------------------------------------------------------------


def _store(tmp_path: Path, url: str = "bolt://127.0.0.1:1", **overrides) -> Neo4jStore:
    cypher = tmp_path / "cypher"
    (cypher / "t").mkdir(parents=True)
    (cypher / "t/one.cypher").write_text("// description: one\nRETURN 1 AS one\n")
    (cypher / "t/scoped.cypher").write_text(
        "// description: scoped\n// params: {allowed_cases: list<string>}\n"
        "RETURN $allowed_cases AS cases\n"
    )
    settings = Settings(
        data_dir=tmp_path,
        graph_url=url,
        graph_user="casegraph",
        graph_password=PASSWORD,
        cypher_dir=cypher,
        **overrides,
    )
    return Neo4jStore(settings)


def _assert_one_clean_line(message: str) -> None:
    assert "\n" not in message and "Traceback" not in message
    assert PASSWORD not in message


def test_ping_of_closed_port_is_unavailable_quickly(tmp_path):
    store = _store(tmp_path)
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable) as caught:
            store.ping()
    finally:
        store.close()
    assert time.monotonic() - started < 10
    message = str(caught.value)
    _assert_one_clean_line(message)
    assert message.startswith("Neo4j at bolt://127.0.0.1:1 is unavailable")
    assert "refused" in message.lower()


@pytest.mark.parametrize(
    "call",
    [
        lambda store: store.write("t/one"),
        lambda store: store.read("t/scoped", allowed_cases=["K-1"]),
    ],
    ids=["write", "read"],
)
def test_queries_to_closed_port_are_unavailable_after_short_retries(tmp_path, call):
    store = _store(tmp_path, url="neo4j://127.0.0.1:1", store_timeout=1.0)
    started = time.monotonic()
    try:
        with pytest.raises(StoreUnavailable) as caught:
            call(store)
    finally:
        store.close()
    assert time.monotonic() - started < 15
    _assert_one_clean_line(str(caught.value))


def test_credentials_in_url_are_not_echoed(tmp_path):
    with pytest.raises(StoreUnavailable) as caught:  # the driver refuses userinfo in the URL
        _store(tmp_path, url=f"bolt://casegraph:{PASSWORD}@127.0.0.1:1").close()
    _assert_one_clean_line(str(caught.value))
    assert "bolt://127.0.0.1:1" in str(caught.value)


class _FailingSession:
    def __init__(self, exc: Exception):
        self.exc = exc

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return False

    def execute_read(self, *args, **kwargs):
        raise self.exc

    execute_write = execute_read


class _FailingDriver:
    def __init__(self, exc: Exception):
        self.exc = exc

    def session(self, **config):
        return _FailingSession(self.exc)

    def close(self):
        pass


def _server_error(code: str, message: str) -> Exception:
    return nx.Neo4jError._hydrate_neo4j(code=code, message=message)  # as the driver builds it


@pytest.mark.parametrize(
    ("exc", "expected", "fragment"),
    [
        (nx.SessionExpired("routing table gone"), StoreUnavailable, "routing table gone"),
        (
            _server_error(
                "Neo.ClientError.Security.Unauthorized",
                "The client is unauthorized due to authentication failure.",
            ),
            StoreUnavailable,
            "refused the credentials of user 'casegraph'",
        ),
        (
            _server_error("Neo.ClientError.Database.DatabaseNotFound", "Graph not found: nope"),
            StoreUnavailable,
            "Graph not found",
        ),
        (
            _server_error("Neo.TransientError.General.DatabaseUnavailable", "db is starting"),
            StoreUnavailable,
            "db is starting",
        ),
        (
            _server_error(
                "Neo.ClientError.Statement.SyntaxError", "Invalid input 'RETRUN'\n\"RETRUN 1\"\n ^"
            ),
            StoreError,
            "Invalid input 'RETRUN'",
        ),
        (
            _server_error(
                "Neo.ClientError.Statement.AccessMode",
                "Writing in read access mode not allowed.",
            ),
            StoreError,
            "read access mode",
        ),
    ],
)
def test_driver_errors_are_mapped(tmp_path, exc, expected, fragment):
    store = _store(tmp_path)
    store._driver.close()
    store._driver = _FailingDriver(exc)
    with pytest.raises(StoreError) as caught:
        store.write("t/one")
    assert type(caught.value) is expected
    assert fragment in str(caught.value)
    if expected is StoreUnavailable:
        _assert_one_clean_line(str(caught.value))
