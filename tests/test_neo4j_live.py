"""The Neo4j backend against a real Neo4j 5 server (``pytest -m neo4j``).

Skipped unless ``CASEGRAPH_TEST_NEO4J_URL`` is set (user and password from
``CASEGRAPH_TEST_NEO4J_USER`` / ``CASEGRAPH_TEST_NEO4J_PASSWORD``, database from
``CASEGRAPH_TEST_NEO4J_DATABASE``). The test touches only the nodes it creates, under a
random case id, so it may run against a shared database; it never calls ``drop_all``.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest

from graphapp.settings import PROJECT_ROOT, Settings
from graphapp.store import StoreError
from graphapp.store.neo4j import Neo4jStore
from graphapp.store.types import Node, Relationship
from graphapp.store.types import Path as NeutralPath

pytestmark = pytest.mark.neo4j

URL = os.environ.get("CASEGRAPH_TEST_NEO4J_URL", "")

QUERIES = {
    "live/put": """// description: A case that mentions a phone, committed at once.
// params:
//   case_id: string
//   e164: string
MERGE (c:Case {case_id: $case_id})
SET c.title = 'live test', c.case_ids = [$case_id]
MERGE (p:Phone {e164: $e164})
SET p.case_ids = [$case_id]
MERGE (c)-[m:MENTIONS {rel_key: $case_id + ':m'}]->(p)
SET m.case_id = $case_id, m.source = 'live', m.first_seen = date('2024-01-02')
""",
    "live/get": """// description: The test case's phones, as nodes, the fact and a path.
// params:
//   allowed_cases: list<string>
//   case_id: string
MATCH path = (c:Case {case_id: $case_id})-[m:MENTIONS]->(p:Phone)
WHERE m.case_id IN $allowed_cases
RETURN c, m, p, path, m.first_seen AS seen
""",
    "live/sneaky_write": """// description: A write disguised as a read.
// params:
//   allowed_cases: list<string>
CREATE (:Case {case_id: 'never', case_ids: $allowed_cases})
""",
    "live/cleanup": """// description: Remove the test's nodes.
// params:
//   case_id: string
//   e164: string
MATCH (n)
WHERE (n:Case AND n.case_id = $case_id) OR (n:Phone AND n.e164 = $e164)
DETACH DELETE n
""",
}


@pytest.fixture
def store(tmp_path: Path):
    if not URL:
        pytest.skip("set CASEGRAPH_TEST_NEO4J_URL to run against Neo4j")
    cypher = tmp_path / "cypher"
    for name in ("schema/setup.neo4j.cypher", "admin/drop_all.neo4j.cypher"):
        (cypher / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(PROJECT_ROOT / "cypher" / name, cypher / name)
    for name, text in QUERIES.items():
        (cypher / f"{name}.cypher").parent.mkdir(parents=True, exist_ok=True)
        (cypher / f"{name}.cypher").write_text(text)
    settings = Settings(
        data_dir=tmp_path,
        graph_url=URL,
        graph_user=os.environ.get("CASEGRAPH_TEST_NEO4J_USER", "neo4j"),
        graph_password=os.environ.get("CASEGRAPH_TEST_NEO4J_PASSWORD", ""),
        graph_name=os.environ.get("CASEGRAPH_TEST_NEO4J_DATABASE", ""),
        cypher_dir=cypher,
    )
    store = Neo4jStore(settings)
    yield store
    store.close()


def test_schema_write_and_scoped_read(store):
    case_id, e164 = f"LIVE-{uuid.uuid4().hex[:12]}", f"+4670{uuid.uuid4().int % 10**7:07d}"
    store.ping()
    store.ensure_schema()
    store.ensure_schema()  # idempotent
    try:
        store.write("live/put", {"case_id": case_id, "e164": e164})
        rows = store.read("live/get", {"case_id": case_id}, allowed_cases=[case_id])
        assert len(rows) == 1
        row = rows[0]
        assert row["c"] == Node(id=f"case:{case_id}", kind="case", key=case_id)
        assert row["p"].id == f"phone:{e164}" and "case_ids" not in row["p"].properties
        assert isinstance(row["m"], Relationship)
        assert (row["m"].start, row["m"].end) == (row["c"].id, row["p"].id)
        assert isinstance(row["path"], NeutralPath) and len(row["path"].relationships) == 1
        assert row["seen"] == "2024-01-02"
        assert store.read("live/get", {"case_id": case_id}, allowed_cases=["other"]) == []
        with pytest.raises(StoreError):
            store.read("live/sneaky_write", allowed_cases=[case_id])
    finally:
        store.write("live/cleanup", {"case_id": case_id, "e164": e164})
