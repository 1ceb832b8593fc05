"""Batches (DESIGN.md sections 3, 4, 6): all or nothing even when the loader or the store dies.

What an operator relies on: a load killed half-way leaves nothing any user can see, and
recovery puts the graph back exactly as it was; recovery never touches a batch whose loader
is still running; a batch that committed but did not finish is finished; a withdrawn batch
leaves the graph as it was before it; every batch records where its facts came from.

The raw graph is inspected through the FalkorDB client (``store._graph``), test inspection
only. Tests that kill processes use a data directory of their own (own server).
"""

from __future__ import annotations

import getpass
import hashlib
import importlib.util
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from graphapp.access import Actor
from graphapp.db import AuditRecord, session_scope
from graphapp.settings import Settings
from graphapp.store import StoreError
from graphapp.store.falkor import FalkorStore
from ingest import batches, demo, loader, resolve
from ingest.loader import Planner, load_directory, planned_chunks, survey_directory

ROOT = Path(__file__).resolve().parents[1]
OPERATOR = f"operator:{getpass.getuser()}"
DEMO_CASES = sorted(c[0] for c in demo.CASES)
BIG_CASES = [f"K-{i:04d}" for i in range(50)]
ALL_CASES = DEMO_CASES + BIG_CASES + ["K-2025-0100"]
DEMO_PHONE = "+46701234567"
BIG_ROWS = 20_000


def _load_bench():
    spec = importlib.util.spec_from_file_location("ingest_rate", ROOT / "bench" / "ingest_rate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


write_dataset = _load_bench().write_dataset


# -- graph inspection ------------------------------------------------------------------------


def raw(store, text: str, params: dict | None = None) -> list[list]:
    return store._graph.ro_query(text, params or {}).result_set


def _norm(value):
    return sorted(value) if isinstance(value, list) else value


def graph_state(store) -> dict:
    """Counts, the set of facts (type, rel_key, case_id), and every node and edge in full."""
    return {
        "counts": (raw(store, "MATCH (n) RETURN count(n)")[0][0],
                   raw(store, "MATCH ()-[e]->() RETURN count(e)")[0][0]),
        "facts": {tuple(r) for r in raw(store, "MATCH ()-[e]->() RETURN type(e), e.rel_key, e.case_id")},
        "nodes": sorted(repr((r[0], sorted((k, _norm(v)) for k, v in r[1].items())))
                        for r in raw(store, "MATCH (n) RETURN labels(n), properties(n)")),
        "edges": sorted(repr((r[0], sorted((k, _norm(v)) for k, v in r[1].items())))
                        for r in raw(store, "MATCH ()-[e]->() RETURN type(e), properties(e)")),
    }


def _diff(now, before) -> str:
    now, before = set(now), set(before)
    return f"extra {sorted(now - before)[:3]} ... missing {sorted(before - now)[:3]}"


def assert_same_graph(store, before: dict) -> None:
    now = graph_state(store)
    assert now["counts"] == before["counts"], f"(nodes, edges) {now['counts']} != {before['counts']}"
    assert now["facts"] == before["facts"], _diff(now["facts"], before["facts"])
    assert now["nodes"] == before["nodes"], _diff(now["nodes"], before["nodes"])
    assert now["edges"] == before["edges"], _diff(now["edges"], before["edges"])


def stated(facts: set[tuple]) -> set[tuple]:
    """The facts files state (merge suggestions are the resolver's, made after the commit)."""
    return {f for f in facts if f[0] != "MAYBE_SAME_AS"}


def pending_facts(store, rel: str = "") -> int:
    rel = f":{rel}" if rel else ""
    return raw(store, f"MATCH ()-[e{rel}]->() WHERE e.pending_case IS NOT NULL RETURN count(e)")[0][0]


def assert_indexes_consistent(store) -> None:
    """No orphan, no pending fact, and every entity's case_ids equal the cases of its facts."""
    orphans = raw(store, "MATCH (n) WHERE NOT (n)--() RETURN labels(n), properties(n) LIMIT 5")
    assert orphans == [], f"nodes without facts: {orphans}"
    assert pending_facts(store) == 0, f"{pending_facts(store)} pending facts left"
    mismatched = raw(store,
                     "MATCH (n)-[e]-() WHERE NOT n:Case "
                     "WITH n, collect(DISTINCT e.case_id) AS cs "
                     "WHERE size(cs) <> size(n.case_ids) OR any(c IN cs WHERE NOT c IN n.case_ids) "
                     "RETURN labels(n), n.case_ids, cs LIMIT 5")
    assert mismatched == [], f"case_ids differ from the cases of the facts: {mismatched}"


def phone_cases(store, e164: str, allowed=ALL_CASES) -> list[list[str]]:
    """What any user of ``allowed`` finds for a phone: one sorted list of cases per hit."""
    return [sorted(r["cases"]) for r in store.read("views/search_phone", {"e164": e164},
                                                   allowed_cases=allowed)]


def person_of(store, case_id: str, person_ref: str) -> str:
    rows = raw(store, "MATCH (:Case {case_id: $c})-[e:INVOLVES]->(p:Person) WHERE e.person_ref = $r "
                      "RETURN p.person_id", {"c": case_id, "r": person_ref})
    assert len(rows) == 1, (case_id, person_ref, rows)
    return rows[0][0]


def statuses(settings) -> dict[str, str]:
    return {b.batch_id: b.status for b in batches.list_batches(settings)}


# -- data ------------------------------------------------------------------------------------


def write_csv(directory: Path, name: str, lines: list[str]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _insert_rows(path: Path, rows: list[str]) -> None:
    header, *rest = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([header, *rows, *rest]) + "\n", encoding="utf-8")


@pytest.fixture
def big_dir(tmp_path) -> Path:
    """About 20k rows over cases K-0000..K-0049 (a load of a few seconds), whose first rows
    also add facts to entities the demo already holds: Andrei Popescu (joined on name and
    birth date), the demo's shared phone and Hotell Vättern."""
    directory = tmp_path / "big"
    write_dataset(directory, BIG_ROWS)
    _insert_rows(directory / "persons.csv", ["K-0000,PX,Andrei Popescu,1987-05-14,BIG-1"])
    _insert_rows(directory / "phones.csv", ["K-0000,070-123 45 67,PX,BIG-1"])
    _insert_rows(directory / "hotels.csv", ["K-0000,Hotell Vättern,Jönköping,SE,BIG-2"])
    return directory


def second_batch_dir(directory: Path) -> Path:
    """A later batch: a new case with a new person and a new phone, facts on entities the
    demo holds (Andrei Popescu, the shared phone, an address, an existing case), and one fact
    the demo already states (kept when this batch is withdrawn)."""
    write_csv(directory, "cases.csv", ["case_id,title,unit", "K-2025-0100,Ny insats,Polisregion Väst"])
    write_csv(directory, "persons.csv", [
        "case_id,person_ref,name,birth_date,source",
        "K-2025-0100,N1,ANDREI POPESCU,1987-05-14,V-100-1",
        "K-2025-0100,N2,Nadia Novak,1995-03-03,V-100-2",
    ])
    write_csv(directory, "phones.csv", [
        "case_id,number,person_ref,source",
        "K-2025-0100,070-123 45 67,N1,V-100-1",
        "K-2025-0100,+46 76 000 11 22,N2,V-100-2",
        "K-2024-0113,076-000 11 22,P2,A-2024-0113-20",
        "K-2024-0113,070-123 45 67,P1,A-2024-0113-01",
    ])
    write_csv(directory, "addresses.csv", [
        "case_id,street,postcode,city,country,person_ref,kind,source",
        "K-2025-0100,Västra Storgatan 12,553 15,Jönköping,SE,N1,residence,V-100-1",
    ])
    return directory


NEW_PHONE = "+46760001122"


def write_pending(store, settings, directory: Path, batch_id: str) -> int:
    """What a loader does before its commit: record the batch, write every chunk pending."""
    survey = survey_directory(directory, store)
    assert survey.problems == [], [str(p) for p in survey.problems]
    batches.record_start(settings, batch_id, directory=str(directory), actor="test", os_user="test",
                         cases=sorted(survey.cases), files=survey.manifest)
    loader.write_pending(store, survey, Planner(store, settings.match_key()), batch_id)
    written = pending_facts(store)
    assert written > 0
    return written


def planned_facts(store, settings, directory: Path) -> set[tuple[str, str, str]]:
    """(type, rel_key, case_id) of every fact the directory states (rel_keys do not depend on
    how persons resolve)."""
    survey = survey_directory(directory, store)
    planner = Planner(store, settings.match_key())
    facts = set()
    for file_name, _records, rows in planned_chunks(survey, planner):
        facts |= set(loader.planned_facts(file_name, rows))
    return facts


# -- processes -------------------------------------------------------------------------------


@pytest.fixture
def private_settings(tmp_path) -> Settings:
    """A data directory of its own, so killing its server disturbs no other test."""
    return Settings.from_env({}, data_dir=tmp_path / "data", secret_key="k" * 40)


@pytest.fixture
def private_store(private_settings):
    store = FalkorStore(private_settings)
    store.ensure_schema()
    yield store
    store.close()


def child_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
    env.update(PYTHONPATH=str(ROOT), CASEGRAPH_DATA_DIR=str(settings.data_dir))
    return env


def start_cli(settings: Settings, *args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", "from graphapp.cli import main; main()",
                             *map(str, args)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=child_env(settings), cwd=ROOT)


LOADER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from graphapp.settings import Settings
    from graphapp.store import get_store
    from ingest.loader import load_directory
    settings = Settings.from_env()
    result = load_directory(Path(sys.argv[1]), get_store(settings), settings)
    print(result.batch_id, result.ok, flush=True)
""")


def start_loader(settings: Settings, directory: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", LOADER, str(directory)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=child_env(settings), cwd=ROOT)


def wait_for_pending_phones(store, proc: subprocess.Popen, timeout: float = 60) -> int:
    """Poll until the loader has written pending phone facts; fail if it ends first."""
    return wait_for_pending(store, proc, "Phone", timeout)


def wait_for_pending(store, proc: subprocess.Popen, label: str, timeout: float = 60) -> int:
    """Poll until the loader has written pending mentions of ``label``; fail if it ends first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out, err = proc.communicate()
            raise AssertionError(f"loader ended (exit {proc.returncode}) before writing pending "
                                 f"{label} facts:\n{out}\n{err[-2000:]}")
        found = raw(store, f"MATCH (:Case)-[e:MENTIONS]->(:{label}) WHERE e.pending_case IS NOT NULL "
                           "RETURN count(e)")[0][0]
        if found:
            return found
        time.sleep(0.02)
    raise AssertionError(f"no pending {label} facts within {timeout} s")


def kill(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    for stream in (proc.stdout, proc.stderr):
        stream.close()


def settled_pending(store) -> int:
    """Pending facts once the dead loader's last query (still running on the server) is done."""
    last = pending_facts(store)
    for _ in range(50):
        time.sleep(0.2)
        now = pending_facts(store)
        if now == last:
            return now
        last = now
    raise AssertionError(f"pending facts still changing ({last}) after the loader was killed")


def _wait_dead(pid: int) -> None:
    for _ in range(200):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"process {pid} still alive")


def a_pending_big_phone(store) -> str:
    """A phone that only the killed batch mentions (its node has no committed fact)."""
    rows = raw(store, "MATCH (:Case)-[e:MENTIONS]->(p:Phone) "
                      "WHERE e.pending_case IS NOT NULL AND size(p.case_ids) = 0 "
                      "RETURN p.e164 LIMIT 1")
    assert rows, "no phone of the big directory was written pending"
    return rows[0][0]


def the_other_batch(settings, known: str) -> str:
    others = [b for b in statuses(settings) if b != known]
    assert len(others) == 1, statuses(settings)
    return others[0]


# -- 1. the loader is killed mid-batch -------------------------------------------------------


def test_killed_loader_leaves_nothing_visible_and_recovery_restores_the_graph(
        private_settings, private_store, demo_dir, big_dir):
    settings, store = private_settings, private_store
    base = load_directory(demo_dir, store, settings)
    assert base.ok, [str(p) for p in base.problems]
    before = graph_state(store)
    demo_phone = phone_cases(store, DEMO_PHONE)

    proc = start_cli(settings, "ingest", big_dir)
    try:
        wait_for_pending_phones(store, proc)
    finally:
        kill(proc)
    killed = the_other_batch(settings, base.batch_id)
    assert statuses(settings)[killed] == "pending", statuses(settings)
    written = settled_pending(store)
    assert written > 0, written

    # No user of any case sees a fact of the dead batch.
    big_phone = a_pending_big_phone(store)
    assert phone_cases(store, big_phone) == [], (big_phone, phone_cases(store, big_phone))
    on_demo_phone = raw(store, "MATCH (:Case {case_id: 'K-0000'})-[e:MENTIONS]->(:Phone {e164: $p}) "
                               "RETURN e.pending_case, e.case_id", {"p": DEMO_PHONE})
    assert on_demo_phone == [["K-0000", None]], on_demo_phone
    assert phone_cases(store, DEMO_PHONE) == demo_phone, phone_cases(store, DEMO_PHONE)
    persons = [r for r in store.read("views/search_text", {"q": "person 1", "limit": 50},
                                     allowed_cases=ALL_CASES) if r["node"].kind == "person"]
    assert persons == [], persons

    # Recovery, as an operator runs it, removes the dead batch and says so.
    rec = start_cli(settings, "ingest", "recover")
    out, err = rec.communicate(timeout=120)
    assert rec.returncode == 0, (rec.returncode, out, err)
    assert f"rolled back batch {killed} ({written} pending facts removed)" in out + err, (out, err)
    assert statuses(settings)[killed] == "rolled-back", statuses(settings)
    assert_same_graph(store, before)
    assert_indexes_consistent(store)
    assert raw(store, "MATCH (c:Case) WHERE c.case_id STARTS WITH 'K-00' RETURN count(c)")[0][0] == 0

    # Loading the directory again completes, with exactly the facts its files state.
    again = load_directory(big_dir, store, settings)
    assert again.ok, [str(p) for p in again.problems][:5]
    assert statuses(settings)[again.batch_id] == "complete", statuses(settings)
    after = graph_state(store)
    expected = stated(before["facts"]) | planned_facts(store, settings, big_dir)
    assert stated(after["facts"]) == expected, _diff(stated(after["facts"]), expected)
    assert again.facts_created + again.suggestions == after["counts"][1] - before["counts"][1], (
        again.facts_created, again.suggestions, after["counts"], before["counts"])
    assert_indexes_consistent(store)
    assert phone_cases(store, DEMO_PHONE) == [sorted([*demo_phone[0], "K-0000"])], \
        phone_cases(store, DEMO_PHONE)
    assert person_of(store, "K-0000", "PX") == person_of(store, "K-2024-0113", "P1")
    found = phone_cases(store, big_phone)
    assert len(found) == 1 and found[0] and set(found[0]) <= set(BIG_CASES), (big_phone, found)


# -- 2. recovery leaves a running loader's batch alone ---------------------------------------


def test_recovery_skips_a_batch_whose_loader_holds_its_lock(store, settings, demo_dir):
    batch_id = "b-live-loader"
    with batches.holding_lock(settings, batch_id):
        written = write_pending(store, settings, demo_dir, batch_id)
        before = graph_state(store)
        assert batches.recover(store, settings) == []
        assert statuses(settings) == {batch_id: "pending"}, statuses(settings)
        assert_same_graph(store, before)
        assert pending_facts(store) == written
    # The loader is gone (lock free): now recovery rolls it back, and nothing is left.
    lines = batches.recover(store, settings)
    assert lines == [f"rolled back batch {batch_id} ({written} pending facts removed)"], lines
    assert statuses(settings) == {batch_id: "rolled-back"}, statuses(settings)
    assert graph_state(store)["counts"] == (0, 0), graph_state(store)["counts"]
    assert batches.recover(store, settings) == []


# -- 3. the store is killed mid-batch too ----------------------------------------------------


def test_killing_loader_and_store_mid_batch_then_recovery_restores_the_graph(
        private_settings, private_store, demo_dir, big_dir):
    settings = private_settings
    store = private_store
    base = load_directory(demo_dir, store, settings)
    assert base.ok
    before = graph_state(store)

    proc = start_loader(settings, big_dir)
    try:
        wait_for_pending_phones(store, proc)
    finally:
        kill(proc)
    written = settled_pending(store)
    server = int(Path(store._db.client.pidfile).read_text())
    os.kill(server, signal.SIGKILL)
    _wait_dead(server)
    store.close()

    store = FalkorStore(settings)  # an operator starts the store again
    try:
        assert store.server_pid not in (0, server)
        # Acknowledged pending writes came back from the append-only file...
        assert pending_facts(store) == written, (pending_facts(store), written)
        assert phone_cases(store, a_pending_big_phone(store)) == []
        killed = the_other_batch(settings, base.batch_id)
        assert statuses(settings)[killed] == "pending", statuses(settings)
        # ...and recovery removes them.
        lines = batches.recover(store, settings)
        assert lines == [f"rolled back batch {killed} ({written} pending facts removed)"], lines
        assert statuses(settings)[killed] == "rolled-back", statuses(settings)
        assert_same_graph(store, before)
        assert_indexes_consistent(store)
    finally:
        store.close()


# -- 4. committed but not finished -----------------------------------------------------------


def _commit_without_finishing(store, settings, directory: Path, batch_id: str) -> int:
    with batches.holding_lock(settings, batch_id):
        written = write_pending(store, settings, directory, batch_id)
        committed, _nodes = batches.commit(store, batch_id)
        assert committed == written
    # The commit derives the touched nodes' indexes in the same atomic query: no reader ever
    # sees a committed fact whose endpoints' case_ids or match keys lag behind.
    assert_indexes_consistent(store)
    return written


def _second_batch_is_finished(store) -> None:
    assert_indexes_consistent(store)
    andrei = person_of(store, "K-2024-0113", "P1")
    assert person_of(store, "K-2025-0100", "N1") == andrei
    rows = raw(store, "MATCH (p:Person {person_id: $p}) RETURN p.case_ids", {"p": andrei})
    assert sorted(rows[0][0]) == ["K-2024-0113", "K-2024-0342", "K-2025-0100"], rows
    assert phone_cases(store, NEW_PHONE) == [["K-2024-0113", "K-2025-0100"]], phone_cases(store, NEW_PHONE)
    assert phone_cases(store, DEMO_PHONE) == [["K-2024-0113", "K-2024-0287", "K-2024-0342",
                                               "K-2025-0100"]], phone_cases(store, DEMO_PHONE)


def test_recovery_finishes_a_committed_batch(demo_store, settings, tmp_path):
    store = demo_store
    batch_id = "b-committed"
    written = _commit_without_finishing(store, settings, second_batch_dir(tmp_path / "b2"), batch_id)
    batches.set_status(settings, batch_id, "committed", facts_created=written)

    assert batches.recover(store, settings) == [f"finished committed batch {batch_id}"]
    assert statuses(settings)[batch_id] == "complete", statuses(settings)
    _second_batch_is_finished(store)


def test_recovery_finishes_a_batch_that_committed_before_its_status_was_recorded(
        demo_store, settings, tmp_path):
    """The loader died between the commit query and recording 'committed': the facts are
    visible, so the batch must end complete (withdrawable), not 'rolled-back' with its facts
    still in the graph."""
    store = demo_store
    batch_id = "b-commit-unrecorded"
    _commit_without_finishing(store, settings, second_batch_dir(tmp_path / "b2"), batch_id)
    assert statuses(settings)[batch_id] == "pending"

    lines = batches.recover(store, settings)
    assert len(lines) == 1 and batch_id in lines[0], lines
    assert statuses(settings)[batch_id] == "complete", (statuses(settings), lines)
    _second_batch_is_finished(store)


# -- 5. withdrawal ---------------------------------------------------------------------------


def audit_records(settings, action: str) -> list[dict]:
    with session_scope(settings) as s:
        rows = s.scalars(select(AuditRecord).where(AuditRecord.action == action)
                         .order_by(AuditRecord.id))
        return [{"actor": r.actor, "os_user": r.os_user, "outcome": r.outcome,
                 "cases": list(r.cases), "detail": dict(r.detail)} for r in rows]


def test_withdrawing_a_batch_restores_the_graph_before_it(run, demo_store, settings, tmp_path):
    store = demo_store
    before = graph_state(store)
    second = load_directory(second_batch_dir(tmp_path / "b2"), store, settings)
    assert second.ok, [str(p) for p in second.problems]
    assert second.facts_created > 0
    assert phone_cases(store, NEW_PHONE) == [["K-2024-0113", "K-2025-0100"]]

    result = run("ingest", "withdraw", second.batch_id)
    assert f"batch {second.batch_id} withdrawn: {second.facts_created} facts removed" in result.output, \
        result.output
    assert_same_graph(store, before)
    assert_indexes_consistent(store)
    assert phone_cases(store, NEW_PHONE) == []
    assert phone_cases(store, DEMO_PHONE) == [["K-2024-0113", "K-2024-0287", "K-2024-0342"]]
    assert statuses(settings)[second.batch_id] == "withdrawn", statuses(settings)
    assert batches.get_batch(settings, second.batch_id).finished_at is not None
    records = audit_records(settings, "withdraw-batch")
    assert records == [{"actor": OPERATOR, "os_user": getpass.getuser(), "outcome": "ok",
                        "cases": ["K-2024-0113", "K-2025-0100"],
                        "detail": {"batch_id": second.batch_id,
                                   "facts_removed": second.facts_created, "facts_kept": 0}}], records

    # Withdrawing it again, an unknown batch, or a rolled-back one: a clear refusal, exit 1.
    again = run("ingest", "withdraw", second.batch_id, code=1)
    assert f"batch {second.batch_id} is withdrawn" in again.output, again.output
    unknown = run("ingest", "withdraw", "b-no-such-batch", code=1)
    assert "no batch 'b-no-such-batch'" in unknown.output, unknown.output
    batches.record_start(settings, "b-rolled", directory="x", actor="test")
    batches.set_status(settings, "b-rolled", "rolled-back")
    rolled = run("ingest", "withdraw", "b-rolled", code=1)
    assert "batch b-rolled is rolled-back" in rolled.output, rolled.output
    assert_same_graph(store, before)
    assert len(audit_records(settings, "withdraw-batch")) == 1


def test_withdrawing_a_batch_still_loading_is_refused(run, demo_store, settings, tmp_path):
    store = demo_store
    batch_id = "b-still-loading"
    with batches.holding_lock(settings, batch_id):
        written = write_pending(store, settings, second_batch_dir(tmp_path / "b2"), batch_id)
        result = run("ingest", "withdraw", batch_id, code=1)
        assert f"batch {batch_id} is pending" in result.output, result.output
        assert pending_facts(store) == written, "a refused withdrawal removed pending facts"
        assert statuses(settings)[batch_id] == "pending", statuses(settings)
    assert audit_records(settings, "withdraw-batch") == []
    assert batches.recover(store, settings)  # clean up: the 'loader' is gone now
    assert_indexes_consistent(store)


# -- 6. provenance ---------------------------------------------------------------------------


def test_a_load_records_its_files_digests_actor_and_counts(run, store, settings, demo_dir):
    result = run("ingest", demo_dir)
    (batch,) = batches.list_batches(settings)
    assert batch.status == "complete", batch.status
    assert batch.directory == str(demo_dir), batch.directory
    assert (batch.actor, batch.os_user) == (OPERATOR, getpass.getuser()), (batch.actor, batch.os_user)
    assert batch.cases == DEMO_CASES, batch.cases
    assert batch.finished_at is not None and batch.finished_at >= batch.started_at
    files = sorted(p.name for p in demo_dir.glob("*.csv"))
    assert sorted(batch.files) == files, batch.files
    for name in files:
        data = (demo_dir / name).read_bytes()
        assert batch.files[name] == {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data),
                                     "rows": len(data.decode().splitlines()) - 1}, (name, batch.files[name])
    edges = graph_state(store)["counts"][1]
    counts = batch.counts
    assert counts["rows_read"] == sum(f["rows"] for f in batch.files.values()), counts
    assert counts["facts_created"] == batch.facts_created == edges, (counts, batch.facts_created, edges)
    assert isinstance(counts["seconds"], float) and counts["seconds"] > 0, counts
    assert counts["entities_created"] == graph_state(store)["counts"][0], counts
    (audit,) = audit_records(settings, "ingest")
    assert audit["detail"]["batch_id"] == batch.batch_id, audit
    assert f"batch {batch.batch_id}:" in result.output, result.output

    listing = run("ingest", "batches").output.strip().splitlines()
    assert len(listing) == 1, listing
    line = listing[0]
    for part in (batch.batch_id, "complete", OPERATOR, f"{edges} facts", ", ".join(DEMO_CASES)):
        assert part in line, (part, line)


# -- 7. a load interrupted mid-write ---------------------------------------------------------


def test_ctrl_c_mid_load_leaves_nothing_and_records_a_roll_back(demo_store, settings, tmp_path):
    store = demo_store
    before = graph_state(store)
    seen = []

    def interrupt_after_phones(_rows):
        seen.append(pending_facts(store))
        if len(seen) == 3:  # cases, persons, phones written pending
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_directory(second_batch_dir(tmp_path / "b2"), store, settings,
                       progress=interrupt_after_phones)
    assert seen[-1] > 0, seen
    (batch_id,) = [b for b, s in statuses(settings).items() if s != "complete"]
    batch = batches.get_batch(settings, batch_id)
    assert batch.status == "rolled-back", batch.status
    assert "KeyboardInterrupt" in batch.error, repr(batch.error)
    assert_same_graph(store, before)
    assert_indexes_consistent(store)
    assert batches.recover(store, settings) == []


def test_store_refusing_writes_mid_load_leaves_nothing_visible_and_recovery_cleans_up(
        private_settings, private_store, demo_dir, tmp_path):
    """The server runs out of memory after two chunks: every later write is refused, the
    loader's own undo too. The batch stays pending, invisible; recovery removes it later."""
    settings, store = private_settings, private_store
    assert load_directory(demo_dir, store, settings).ok
    before = graph_state(store)
    client = store._db.client
    seen = []

    def fill_memory_after_persons(_rows):
        seen.append(pending_facts(store))
        if len(seen) == 2:
            client.config_set("maxmemory", "1")

    try:
        with pytest.raises(StoreError, match="maxmemory"):
            load_directory(second_batch_dir(tmp_path / "b2"), store, settings,
                           progress=fill_memory_after_persons)
    finally:
        client.config_set("maxmemory", "0")
    assert seen[-1] > 0, seen
    (batch_id,) = [b for b, s in statuses(settings).items() if s == "pending"]
    assert "maxmemory" in batches.get_batch(settings, batch_id).error
    assert pending_facts(store) == seen[-1], (pending_facts(store), seen)
    assert phone_cases(store, DEMO_PHONE) == [["K-2024-0113", "K-2024-0287", "K-2024-0342"]]

    assert batches.recover(store, settings) == [
        f"rolled back batch {batch_id} ({seen[-1]} pending facts removed)"]
    assert statuses(settings)[batch_id] == "rolled-back", statuses(settings)
    assert_same_graph(store, before)
    assert_indexes_consistent(store)


# -- 8. facts that several batches state ---------------------------------------------------


def restating_dir(directory: Path) -> Path:
    """A later batch that states some of the demo's facts again: Andrei Popescu's record and
    his phone in K-2024-0113 with the same values, Maria Ionescu's phone with another first
    date (2024-02-21, the demo says 2024-02-20), and one new address of Andrei's."""
    write_csv(directory, "persons.csv", [
        "case_id,person_ref,name,birth_date,nationality,national_id,role,source",
        "K-2024-0113,P1,Andrei Popescu,1987-05-14,RO,,suspect,A-2024-0113-01",
    ])
    write_csv(directory, "phones.csv", [
        "case_id,number,person_ref,country_hint,first_seen,last_seen,source",
        "K-2024-0113,070-123 45 67,P1,SE,2024-02-01,2024-03-10,A-2024-0113-01",
        "K-2024-0113,+40 721 555 010,P2,,2024-02-21,,A-2024-0113-02",
    ])
    write_csv(directory, "addresses.csv", [
        "case_id,street,postcode,city,country,person_ref,kind,source",
        "K-2024-0113,Nygatan 1,553 16,Jönköping,SE,P1,work,R-2024-0113-90",
    ])
    return directory


MARIA_PHONE = "+40721555010"


def phone_fact(store, case_id: str, e164: str, source: str) -> dict:
    """The visible fact that ``case_id`` mentions the phone in record ``source``: its
    properties, bookkeeping too."""
    rows = raw(store, "MATCH (:Case {case_id: $c})-[e:MENTIONS]->(:Phone {e164: $p}) "
                      "WHERE e.case_id IS NOT NULL AND e.source = $s RETURN properties(e)",
               {"c": case_id, "p": e164, "s": source})
    assert len(rows) == 1, (case_id, e164, source, rows)
    return dict(rows[0][0])


def visible(store) -> dict:
    """What reads can see: the committed facts (bookkeeping lists left out) and the nodes in
    some case."""
    hidden = {"restated_by", "differed_by"}
    state = graph_state(store)
    edges = sorted(repr((r[0], sorted((k, _norm(v)) for k, v in r[1].items() if k not in hidden)))
                   for r in raw(store, "MATCH ()-[e]->() WHERE e.case_id IS NOT NULL "
                                       "RETURN type(e), properties(e)"))
    nodes = sorted(repr((r[0], sorted((k, _norm(v)) for k, v in r[1].items())))
                   for r in raw(store, "MATCH (n) WHERE size(n.case_ids) > 0 AND n.pending_batch IS NULL "
                                       "RETURN labels(n), properties(n)"))
    return {"facts": {f for f in state["facts"] if f[2] is not None}, "nodes": nodes, "edges": edges}


def assert_no_restatement_left(store) -> None:
    """No fact names another batch, and no batch's dormant statement is left behind."""
    rows = raw(store, "MATCH ()-[e]->() WHERE e.restated_by IS NOT NULL OR e.differed_by IS NOT NULL "
                      "OR e.case_id IS NULL RETURN type(e), properties(e) LIMIT 5")
    assert rows == [], rows


def only_batch(store) -> set[str]:
    return {r[0] for r in raw(store, "MATCH ()-[e]->() WHERE type(e) <> 'MAYBE_SAME_AS' "
                                     "RETURN DISTINCT e.batch_id")}


def test_withdrawing_a_batch_keeps_facts_a_later_batch_also_states(demo_store, settings, tmp_path):
    store = demo_store
    first = (batches.list_batches(settings))[0].batch_id
    directory = second_batch_dir(tmp_path / "b2")
    second = load_directory(directory, store, settings)
    assert second.ok
    expected = planned_facts(store, settings, directory)
    # The second batch states that K-2024-0113 mentions the demo phone (A-2024-0113-01), with
    # no dates: the fact shows the demo's dates, and the demo's batch, while the demo stands.
    fact = phone_fact(store, "K-2024-0113", DEMO_PHONE, "A-2024-0113-01")
    assert (fact["batch_id"], fact["first_seen"], fact["differed_by"]) == (
        first, "2024-02-01", [second.batch_id]), fact

    batches.withdraw(store, settings, first)
    assert phone_cases(store, DEMO_PHONE) == [["K-2024-0113", "K-2025-0100"]], \
        phone_cases(store, DEMO_PHONE)
    # Left: exactly the facts the second batch states, each with its values and its batch.
    assert stated(graph_state(store)["facts"]) == expected, \
        _diff(stated(graph_state(store)["facts"]), expected)
    fact = phone_fact(store, "K-2024-0113", DEMO_PHONE, "A-2024-0113-01")
    assert fact["batch_id"] == second.batch_id and "first_seen" not in fact, fact
    assert fact["source"] == "A-2024-0113-01" and fact["rel_key"] in {f[1] for f in expected}, fact
    assert only_batch(store) == {second.batch_id}, only_batch(store)
    assert_no_restatement_left(store)
    assert_indexes_consistent(store)

    # Withdrawing the second too removes them; the demo's case that held them goes with them.
    batches.withdraw(store, settings, second.batch_id)
    assert graph_state(store)["counts"] == (0, 0), graph_state(store)["counts"]


def test_a_fact_stays_while_any_committed_batch_states_it_with_that_batchs_values(
        demo_store, settings, tmp_path):
    store = demo_store
    first = (batches.list_batches(settings))[0].batch_id
    before = visible(store)
    directory = restating_dir(tmp_path / "r")
    later = load_directory(directory, store, settings)
    assert later.ok, [str(p) for p in later.problems]
    assert later.facts_created == 2, later.facts_created  # the new address: MENTIONS, RESIDES_AT
    expected = planned_facts(store, settings, directory)
    assert len(expected) == 7, expected
    # While the demo stands, both restated facts show its values and its batch.
    same = phone_fact(store, "K-2024-0113", DEMO_PHONE, "A-2024-0113-01")
    other = phone_fact(store, "K-2024-0113", MARIA_PHONE, "A-2024-0113-02")
    assert (same["batch_id"], same["restated_by"]) == (first, [later.batch_id]), same
    assert (other["batch_id"], other["first_seen"], other["differed_by"]) == (
        first, "2024-02-20", [later.batch_id]), other
    now = visible(store)
    assert now["facts"] - before["facts"] == {f for f in expected if f not in before["facts"]}
    assert len(now["facts"]) == len(before["facts"]) + 2
    # Reads show neither the lists nor the dormant statement (provenance stays batch_id).
    for phone in (DEMO_PHONE, MARIA_PHONE):
        nid = raw(store, "MATCH (p:Phone {e164: $p}) RETURN id(p)", {"p": phone})[0][0]
        rels = [r["rel"] for r in store.read("views/facts", {"nid": nid, "limit": 100},
                                             allowed_cases=ALL_CASES)]
        assert rels and all("/" not in r.id for r in rels), [r.id for r in rels]
        shown = {k for r in rels for k in r.to_dict()["properties"]}
        assert not shown & {"restated_by", "differed_by", "dormant_case"}, shown

    result = batches.withdraw(store, settings, first)
    # Five facts the later batch states stay.
    assert result == (len(before["facts"]) - 5, 5), result
    assert stated(graph_state(store)["facts"]) == expected, \
        _diff(stated(graph_state(store)["facts"]), expected)
    same = phone_fact(store, "K-2024-0113", DEMO_PHONE, "A-2024-0113-01")
    other = phone_fact(store, "K-2024-0113", MARIA_PHONE, "A-2024-0113-02")
    assert (same["batch_id"], same["first_seen"], same["last_seen"]) == (
        later.batch_id, "2024-02-01", "2024-03-10"), same
    assert (other["batch_id"], other["first_seen"]) == (later.batch_id, "2024-02-21"), other
    assert "last_seen" not in other, other
    assert only_batch(store) == {later.batch_id}, only_batch(store)
    assert_no_restatement_left(store)
    assert_indexes_consistent(store)
    assert phone_cases(store, MARIA_PHONE) == [["K-2024-0113"]], phone_cases(store, MARIA_PHONE)
    andrei = person_of(store, "K-2024-0113", "P1")
    rows = raw(store, "MATCH (p:Person {person_id: $p}) RETURN p.case_ids, size(p.match_keys)",
               {"p": andrei})
    assert rows[0][0] == ["K-2024-0113"] and rows[0][1] > 0, rows

    batches.withdraw(store, settings, later.batch_id)
    assert graph_state(store)["counts"] == (0, 0), graph_state(store)["counts"]


def test_ingest_withdraw_says_how_many_facts_stay_because_another_batch_states_them(
        run, demo_store, settings, tmp_path):
    first = (batches.list_batches(settings))[0].batch_id
    later = load_directory(restating_dir(tmp_path / "r"), demo_store, settings)
    assert later.ok
    (owned,) = raw(demo_store, "MATCH ()-[e]->() WHERE e.batch_id = $b AND e.case_id IS NOT NULL "
                               "RETURN count(e)", {"b": first})[0]
    result = run("ingest", "withdraw", first)
    assert f"withdrawn: {owned - 5} facts removed; 5 kept, stated by other loaded batches too" \
        in result.output, result.output
    (record,) = audit_records(settings, "withdraw-batch")
    assert (record["detail"]["facts_removed"], record["detail"]["facts_kept"]) == (owned - 5, 5), record
    assert phone_cases(demo_store, DEMO_PHONE) == [["K-2024-0113"]]


def test_withdrawing_the_restating_batch_leaves_the_first_as_it_was(demo_store, settings, tmp_path):
    store = demo_store
    first = (batches.list_batches(settings))[0].batch_id
    before = graph_state(store)
    later = load_directory(restating_dir(tmp_path / "r"), store, settings)
    assert later.ok
    assert batches.withdraw(store, settings, later.batch_id) == (2, 0)
    assert_same_graph(store, before)
    assert_indexes_consistent(store)
    batches.withdraw(store, settings, first)
    assert graph_state(store)["counts"] == (0, 0), graph_state(store)["counts"]


def test_loading_a_restating_batch_twice_keeps_its_facts_until_both_are_withdrawn(
        demo_store, settings, tmp_path):
    store = demo_store
    first = (batches.list_batches(settings))[0].batch_id
    directory = restating_dir(tmp_path / "r")
    once = load_directory(directory, store, settings)
    after_once = visible(store)
    twice = load_directory(directory, store, settings)
    assert (once.ok, twice.ok, twice.facts_created) == (True, True, 0)
    assert visible(store) == after_once
    expected = planned_facts(store, settings, directory)

    batches.withdraw(store, settings, first)
    batches.withdraw(store, settings, once.batch_id)
    assert stated(graph_state(store)["facts"]) == expected
    assert only_batch(store) == {twice.batch_id}, only_batch(store)
    assert_no_restatement_left(store)
    assert_indexes_consistent(store)
    batches.withdraw(store, settings, twice.batch_id)
    assert graph_state(store)["counts"] == (0, 0), graph_state(store)["counts"]


def test_a_pending_restater_changes_nothing_visible_and_its_roll_back_restores_the_graph(
        demo_store, settings, tmp_path):
    store = demo_store
    before, seen = graph_state(store), visible(store)
    demo_phone = phone_cases(store, DEMO_PHONE)
    batch_id = "b-pending-restater"
    write_pending(store, settings, restating_dir(tmp_path / "r"), batch_id)
    # Written: the new facts pending, both restatements recorded (one as a dormant statement).
    assert raw(store, "MATCH ()-[e]->() WHERE $b IN e.restated_by RETURN count(e)",
               {"b": batch_id})[0][0] == 3  # Andrei's record, his phone, his use of it
    assert raw(store, "MATCH ()-[e]->() WHERE e.dormant_case IS NOT NULL RETURN count(e)")[0][0] == 2
    assert visible(store) == seen
    assert phone_cases(store, DEMO_PHONE) == demo_phone
    found = store.read("views/search_phone", {"e164": MARIA_PHONE}, allowed_cases=ALL_CASES)
    assert found, found

    assert batches.recover(store, settings) == [f"rolled back batch {batch_id} (2 pending facts removed)"]
    assert statuses(settings)[batch_id] == "rolled-back", statuses(settings)
    assert_same_graph(store, before)
    assert_indexes_consistent(store)


def test_ctrl_c_in_a_restating_load_leaves_the_graph_as_before(demo_store, settings, tmp_path):
    store = demo_store
    before = graph_state(store)
    written = []

    def interrupt_after_phones(_rows):
        written.append(raw(store, "MATCH ()-[e]->() WHERE e.restated_by IS NOT NULL "
                                  "OR e.dormant_case IS NOT NULL RETURN count(e)")[0][0])
        if len(written) == 2:  # persons, phones written
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        load_directory(restating_dir(tmp_path / "r"), store, settings, progress=interrupt_after_phones)
    assert written[-1] == 5, written  # 3 facts restated, 2 dormant statements
    assert_same_graph(store, before)
    assert_indexes_consistent(store)


def test_killed_restating_loader_then_recovery_restores_the_graph(
        private_settings, private_store, demo_dir, big_dir):
    settings, store = private_settings, private_store
    base = load_directory(demo_dir, store, settings)
    assert base.ok
    # Restatements of the demo at the head of the big batch: Andrei's phone without dates (a
    # dormant statement), an address with the demo's own values (restated_by).
    _insert_rows(big_dir / "phones.csv", ["K-2024-0113,070-123 45 67,P1,A-2024-0113-01"])
    _insert_rows(big_dir / "addresses.csv",
                 ["K-2024-0113,Västra Storgatan 12,553 15,Jönköping,SE,A-2024-0113-01"])
    before = graph_state(store)

    proc = start_cli(settings, "ingest", big_dir)
    try:
        wait_for_pending(store, proc, "Address")
    finally:
        kill(proc)
    killed = the_other_batch(settings, base.batch_id)
    written = settled_pending(store)
    marks = raw(store, "MATCH ()-[e]->() WHERE $b IN e.restated_by OR $b IN e.differed_by "
                       "RETURN count(e)", {"b": killed})[0][0]
    assert marks >= 3, marks  # the phone's mention and use, the address's mention
    assert raw(store, "MATCH ()-[e]->() WHERE e.batch_id = $b AND e.dormant_case IS NOT NULL "
                      "RETURN count(e)", {"b": killed})[0][0] >= 1

    assert batches.recover(store, settings) == [
        f"rolled back batch {killed} ({written} pending facts removed)"]
    assert_same_graph(store, before)
    assert_indexes_consistent(store)


def test_a_split_record_takes_the_dormant_statements_of_its_facts_along(
        demo_store, settings, tmp_path):
    store = demo_store
    first = (batches.list_batches(settings))[0].batch_id
    directory = tmp_path / "r"
    write_csv(directory, "phones.csv", [
        "case_id,number,person_ref,country_hint,first_seen,last_seen,source",
        "K-2024-0113,070-123 45 67,P1,SE,2024-02-02,2024-03-10,A-2024-0113-01",
    ])
    later = load_directory(directory, store, settings)
    assert later.ok
    andrei = person_of(store, "K-2024-0113", "P1")
    # Splitting needs a second record the splitter may see: rita is a member of every case
    # that holds one of Andrei's records.
    held_by = raw(store, "MATCH (c:Case)-[:INVOLVES]->(:Person {person_id: $p}) "
                         "RETURN DISTINCT c.case_id", {"p": andrei})
    assert len(held_by) > 1, held_by
    split = resolve.split(store, settings, Actor(name="rita", role="investigator",
                                                 cases={c: "edit" for (c,) in held_by}),
                          andrei, "K-2024-0113:P1")
    moved = split["person_id"]
    assert person_of(store, "K-2024-0113", "P1") == moved != andrei
    uses = raw(store, "MATCH (p:Person)-[u:USES]->(:Phone {e164: $e}) WHERE u.person_ref = 'P1' "
                      "AND coalesce(u.case_id, u.dormant_case) = 'K-2024-0113' "
                      "RETURN p.person_id, u.case_id IS NULL", {"e": DEMO_PHONE})
    assert sorted(uses) == [[moved, False], [moved, True]], uses  # the fact, its dormant twin
    live = raw(store, "MATCH (p:Person {person_id: $p})-[e]-() WHERE e.case_id IS NOT NULL "
                      "RETURN count(e)", {"p": moved})[0][0]
    assert split["facts_moved"] == live, (split, live)

    batches.withdraw(store, settings, first)
    rows = raw(store, "MATCH (p:Person)-[u:USES]->(:Phone {e164: $e}) RETURN p.person_id, "
                      "u.batch_id, u.first_seen, u.case_id", {"e": DEMO_PHONE})
    assert rows == [[moved, later.batch_id, "2024-02-02", "K-2024-0113"]], rows
    assert_no_restatement_left(store)
    assert_indexes_consistent(store)


def test_withdrawal_and_recovery_wait_for_a_running_load(demo_store, settings, tmp_path):
    """Loads, withdrawals and recovery hold the ingest lock one at a time: a withdrawal waits
    for the load (so it never hands a fact to a batch still pending), recovery beside a load
    does nothing (the load recovered first), and a withdrawal recovers dead batches first."""
    store = demo_store
    first = (batches.list_batches(settings))[0].batch_id
    dead = "b-dead-restater"
    write_pending(store, settings, restating_dir(tmp_path / "r"), dead)
    done = threading.Event()
    errors = []

    def withdraw():
        try:
            batches.withdraw(store, settings, first)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        done.set()

    with batches.serialised(settings):  # as a running load holds it
        assert batches.recover(store, settings) == []
        assert statuses(settings)[dead] == "pending"
        worker = threading.Thread(target=withdraw)
        worker.start()
        assert not done.wait(1.0), "the withdrawal did not wait for the running load"
        assert statuses(settings)[first] == "complete", statuses(settings)
    assert done.wait(60), "the withdrawal did not finish once the load had"
    worker.join()
    assert errors == [], errors
    assert statuses(settings)[dead] == "rolled-back", statuses(settings)
    assert statuses(settings)[first] == "withdrawn", statuses(settings)
    # The dead batch's restatements were undone before the withdrawal: nothing of it stays.
    assert graph_state(store)["counts"] == (0, 0), graph_state(store)["counts"]


def test_ingest_recover_reports_what_it_recovered(run, store, settings, demo_dir):
    written = write_pending(store, settings, demo_dir, "b-dead-loader")
    result = run("ingest", "recover")
    assert f"rolled back batch b-dead-loader ({written} pending facts removed)" in result.stdout, \
        result.stdout
    assert "nothing to recover" not in result.output, result.output



# -- 9. a withdrawal interrupted half-way ----------------------------------------------------


class Stopped(StoreError):
    """The process stopping (kill -9, power cut, store error) right after one query."""


def stop_after(monkeypatch, store, query: str) -> list[str]:
    """Make the store fail every write once ``query`` has run (as a dead process writes
    nothing more); return the names of the writes that ran."""
    ran: list[str] = []
    write = store.write

    def failing(name, *args, **kwargs):
        if query in ran:
            raise Stopped(f"stopped after {query}")
        result = write(name, *args, **kwargs)
        ran.append(name)
        return result

    monkeypatch.setattr(store, "write", failing)
    return ran


#: Each write of a withdrawal after which it may stop (the last one leaves nothing to do).
WITHDRAWAL_STEPS = ["ingest/hand_over_batch_facts", "ingest/promote_restatements",
                    "ingest/hide_batch_facts", "ingest/derive_nodes", "ingest/delete_orphans",
                    "ingest/delete_batch_edges", "ingest/forget_batch_restatements",
                    "ingest/hand_over_created_cases"]


def _withdraw_until_stopped(monkeypatch, store, settings, batch_id: str, step: str) -> None:
    with monkeypatch.context() as patch:
        ran = stop_after(patch, store, step)
        with pytest.raises(Stopped):
            batches.withdraw(store, settings, batch_id)
    assert step in ran, ran
    assert statuses(settings)[batch_id] == "withdrawing", statuses(settings)


@pytest.mark.parametrize("step", WITHDRAWAL_STEPS)
def test_a_withdrawal_stopped_half_way_is_finished_by_recovery(
        run, monkeypatch, demo_store, settings, tmp_path, step):
    """Wherever a withdrawal stops, recovery finishes it: the graph is as before the batch,
    with no stale case_ids and no orphan. (It once deleted the facts before re-deriving their
    ends; stopped in between, recovery found no fact left to say which nodes to re-derive.)"""
    store = demo_store
    before = graph_state(store)
    second = load_directory(second_batch_dir(tmp_path / "b2"), store, settings)
    assert second.ok, [str(p) for p in second.problems]

    _withdraw_until_stopped(monkeypatch, store, settings, second.batch_id, step)
    result = run("ingest", "recover")
    assert f"finished withdrawing batch {second.batch_id}" in result.output, result.output
    assert statuses(settings)[second.batch_id] == "withdrawn", statuses(settings)
    assert_same_graph(store, before)
    assert_indexes_consistent(store)
    assert phone_cases(store, NEW_PHONE) == []
    assert phone_cases(store, DEMO_PHONE) == [["K-2024-0113", "K-2024-0287", "K-2024-0342"]]


def test_a_withdrawal_stopped_once_its_facts_are_hidden_shows_none_of_them(
        monkeypatch, demo_store, settings, tmp_path):
    """Once the batch's facts are hidden (one query), no read returns them, and withdrawing
    the batch again finishes the work and reports the facts it deleted."""
    store = demo_store
    before = graph_state(store)
    second = load_directory(second_batch_dir(tmp_path / "b2"), store, settings)
    assert second.ok
    _withdraw_until_stopped(monkeypatch, store, settings, second.batch_id, "ingest/hide_batch_facts")
    assert raw(store, "MATCH ()-[e]->() WHERE e.batch_id = $b AND e.case_id IS NOT NULL "
                      "RETURN count(e)", {"b": second.batch_id})[0][0] == 0
    assert phone_cases(store, NEW_PHONE) == []
    found = store.read("views/search_phone", {"e164": DEMO_PHONE}, allowed_cases=["K-2025-0100"])
    assert found == [], found

    assert batches.withdraw(store, settings, second.batch_id) == (second.facts_created, 0)
    assert statuses(settings)[second.batch_id] == "withdrawn", statuses(settings)
    assert_same_graph(store, before)
    assert_indexes_consistent(store)


@pytest.mark.parametrize("step", ["ingest/hand_over_batch_facts", "ingest/promote_restatements",
                                  "ingest/hide_batch_facts", "ingest/derive_nodes",
                                  "ingest/delete_batch_edges"])
def test_withdrawing_the_first_of_two_stating_batches_stopped_half_way_keeps_their_facts(
        monkeypatch, demo_store, settings, tmp_path, step):
    """The facts a later batch also states are handed to it once only, however often the
    withdrawal is run: stopped half-way and recovered, the graph is as if it never stopped."""
    store = demo_store
    first = (batches.list_batches(settings))[0].batch_id
    directory = restating_dir(tmp_path / "r")
    later = load_directory(directory, store, settings)
    assert later.ok
    expected = planned_facts(store, settings, directory)

    _withdraw_until_stopped(monkeypatch, store, settings, first, step)
    assert batches.recover(store, settings) == [f"finished withdrawing batch {first}"]
    assert statuses(settings)[first] == "withdrawn", statuses(settings)
    assert stated(graph_state(store)["facts"]) == expected, \
        _diff(stated(graph_state(store)["facts"]), expected)
    same = phone_fact(store, "K-2024-0113", DEMO_PHONE, "A-2024-0113-01")
    other = phone_fact(store, "K-2024-0113", MARIA_PHONE, "A-2024-0113-02")
    assert (same["batch_id"], same["first_seen"]) == (later.batch_id, "2024-02-01"), same
    assert (other["batch_id"], other["first_seen"]) == (later.batch_id, "2024-02-21"), other
    assert only_batch(store) == {later.batch_id}, only_batch(store)
    assert_no_restatement_left(store)
    assert_indexes_consistent(store)

    batches.withdraw(store, settings, later.batch_id)
    assert graph_state(store)["counts"] == (0, 0), graph_state(store)["counts"]


@pytest.mark.parametrize("step", ["ingest/hide_batch_facts", "ingest/delete_orphans",
                                  "ingest/delete_batch_edges"])
def test_a_roll_back_stopped_half_way_is_finished_by_the_next_recovery(
        monkeypatch, demo_store, settings, tmp_path, step):
    store = demo_store
    before = graph_state(store)
    batch_id = "b-dead-twice"
    write_pending(store, settings, second_batch_dir(tmp_path / "b2"), batch_id)
    with monkeypatch.context() as patch:
        ran = stop_after(patch, store, step)
        with pytest.raises(Stopped):
            batches.recover(store, settings)
    assert step in ran, ran
    assert statuses(settings)[batch_id] == "pending", statuses(settings)

    (line,) = batches.recover(store, settings)
    assert line.startswith(f"rolled back batch {batch_id} ("), line
    assert statuses(settings)[batch_id] == "rolled-back", statuses(settings)
    assert_same_graph(store, before)
    assert_indexes_consistent(store)


# -- 10. merge suggestions made by another batch for a withdrawn record ----------------------


SA, SB, SC = "K-2032-0001", "K-2032-0002", "K-2032-0003"


def load_one(store, settings, directory: Path, case: str, person: str) -> str:
    """A batch of one case and one person record; returns its batch id."""
    write_csv(directory, "cases.csv", ["case_id,title,unit,classification", case])
    write_csv(directory, "persons.csv",
              ["case_id,person_ref,name,birth_date,national_id,source", person])
    result = load_directory(directory, store, settings)
    assert result.ok, [str(p) for p in result.problems]
    return result.batch_id


def suggested(store) -> dict[tuple, tuple]:
    """Every merge suggestion, visible or not: its two records (evidence) -> the persons
    holding each of them now, at the suggestion's start and end, its batch and case."""
    import json

    rows = raw(store, "MATCH (a:Person)-[s:MAYBE_SAME_AS]->(b:Person) "
                      "RETURN s.evidence, a.person_id, b.person_id, s.batch_id, s.case_id")
    return {tuple(json.loads(ev)["records"]): (a, b, batch, case)
            for ev, a, b, batch, case in rows}


def persons_without_records(store) -> list:
    return raw(store, "MATCH (p:Person) WHERE NOT ()-[:INVOLVES]->(p) "
                      "RETURN p.person_id, [(p)-[e]-() | type(e)]")


def assert_indexes_consistent_beside_suggestions(store) -> None:
    """assert_indexes_consistent for a graph holding merge suggestions, which ingest/derive_nodes
    leaves out of case_ids (a suggestion's case_id is the first record's case, not the
    person's): no orphan, no pending fact, case_ids equal the cases of the other facts."""
    assert raw(store, "MATCH (n) WHERE NOT (n)--() RETURN count(n)") == [[0]]
    assert pending_facts(store) == 0
    mismatched = raw(store,
                     "MATCH (n)-[e]-() WHERE NOT n:Case AND type(e) <> 'MAYBE_SAME_AS' "
                     "WITH n, collect(DISTINCT e.case_id) AS cs "
                     "WHERE size(cs) <> size(n.case_ids) OR any(c IN cs WHERE NOT c IN n.case_ids) "
                     "RETURN labels(n), n.case_ids, cs LIMIT 5")
    assert mismatched == [], mismatched


@pytest.fixture
def suggested_across_batches(store, settings, tmp_path) -> dict[str, str]:
    """Maria in three batches: SB's record (batch b) and the covert SC's (batch c) joined on
    her national id; SA's near variant (batch a, loaded last) makes the suggestions (SA, SB)
    and (SA, SC), both of batch a."""
    made = {
        "b": load_one(store, settings, tmp_path / "b", f"{SB},Beta,Unit B,normal",
                      f"{SB},B1,Maria Popesku,1990-01-01,19900101-5555,B-1"),
        "c": load_one(store, settings, tmp_path / "c", f"{SC},Gamma,Unit C,covert",
                      f"{SC},C1,Maria Popesku,1990-01-01,19900101-5555,C-1"),
        "a": load_one(store, settings, tmp_path / "a", f"{SA},Alfa,Unit A,normal",
                      f"{SA},A1,Maria Popescu,1990-01-01,,A-1"),
    }
    maria, joined = person_of(store, SA, "A1"), person_of(store, SB, "B1")
    assert person_of(store, SC, "C1") == joined
    assert suggested(store) == {(f"{SA}:A1", f"{SB}:B1"): (maria, joined, made["a"], SA),
                                (f"{SA}:A1", f"{SC}:C1"): (maria, joined, made["a"], SA)}
    return made


def test_withdrawing_a_record_removes_the_suggestions_another_batch_made_for_it(
        suggested_across_batches, store, settings):
    """Withdrawing batch b takes SB's record off the joined person: the (SA, SB) suggestion,
    batch a's, goes with it (before, it stayed, between Maria and a person only the covert
    SC holds); (SA, SC) stays as it was."""
    made = suggested_across_batches
    maria, joined = person_of(store, SA, "A1"), person_of(store, SC, "C1")
    assert batches.withdraw(store, settings, made["b"]).deleted == 1  # SB's INVOLVES
    assert suggested(store) == {(f"{SA}:A1", f"{SC}:C1"): (maria, joined, made["a"], SA)}
    assert persons_without_records(store) == []
    assert_no_restatement_left(store)
    assert_indexes_consistent_beside_suggestions(store)


def test_withdrawing_the_only_record_of_a_person_leaves_no_person_held_by_a_suggestion(
        store, settings, tmp_path):
    """Without SC's record, the person of SB's record has nothing else: withdrawing batch b
    deletes her and batch a's suggestion for her record, instead of keeping a person that only
    a suggestion holds."""
    b = load_one(store, settings, tmp_path / "b", f"{SB},Beta,Unit B,normal",
                 f"{SB},B1,Maria Popesku,1990-01-01,19900101-5555,B-1")
    load_one(store, settings, tmp_path / "a", f"{SA},Alfa,Unit A,normal",
             f"{SA},A1,Maria Popescu,1990-01-01,,A-1")
    assert set(suggested(store)) == {(f"{SA}:A1", f"{SB}:B1")}
    batches.withdraw(store, settings, b)
    assert suggested(store) == {}
    assert persons_without_records(store) == []
    assert raw(store, "MATCH (p:Person) RETURN count(p)") == [[1]]  # Maria of SA
    assert_no_restatement_left(store)
    assert_indexes_consistent_beside_suggestions(store)


def test_a_suggestion_stays_while_another_batch_still_states_its_record(
        suggested_across_batches, store, settings, tmp_path):
    """A later batch states SB's record again (same values): withdrawing batch b hands the
    record to it, and the suggestion made for the record stays as it was."""
    made = suggested_across_batches
    again = load_one(store, settings, tmp_path / "b-again", f"{SB},Beta,Unit B,normal",
                     f"{SB},B1,Maria Popesku,1990-01-01,19900101-5555,B-1")
    before = suggested(store)
    assert batches.withdraw(store, settings, made["b"]) == (0, 1)  # the record: b-again states it
    assert suggested(store) == before
    assert raw(store, "MATCH (:Case)-[e:INVOLVES]->(:Person) WHERE e.person_ref = 'B1' "
                      "RETURN e.batch_id") == [[again]]
    assert_no_restatement_left(store)


#: The withdrawal's writes, with the new step hiding the suggestions made for its records.
SUGGESTION_WITHDRAWAL_STEPS = ["ingest/hand_over_batch_facts", "ingest/promote_restatements",
                               "ingest/hide_record_suggestions", "ingest/hide_batch_facts",
                               "ingest/derive_nodes", "ingest/delete_orphans",
                               "ingest/delete_batch_edges"]


@pytest.mark.parametrize("step", SUGGESTION_WITHDRAWAL_STEPS)
def test_a_withdrawal_stopped_half_way_still_removes_the_suggestions_for_its_records(
        run, monkeypatch, suggested_across_batches, store, settings, step):
    """Stopped after any of its writes, the withdrawal leaves no suggestion for SB's record
    that a read could see once the record is hidden, and `casegraph ingest recover` finishes
    it with the graph a withdrawal that never stopped leaves."""
    made = suggested_across_batches
    maria, joined = person_of(store, SA, "A1"), person_of(store, SC, "C1")
    _withdraw_until_stopped(monkeypatch, store, settings, made["b"], step)
    record_visible = raw(store, "MATCH (:Case)-[e:INVOLVES]->(:Person) WHERE e.person_ref = 'B1' "
                                "AND e.case_id IS NOT NULL RETURN count(e)")[0][0]
    if not record_visible:
        assert resolve.suggestions(store, Actor(name="ulla", role="investigator",
                                                cases={SA: "edit", SB: "edit"})) == []
    result = run("ingest", "recover")
    assert f"finished withdrawing batch {made['b']}" in result.output, result.output
    assert suggested(store) == {(f"{SA}:A1", f"{SC}:C1"): (maria, joined, made["a"], SA)}
    assert persons_without_records(store) == []
    assert_no_restatement_left(store)
    assert_indexes_consistent_beside_suggestions(store)


def test_a_suggestion_stays_while_another_batch_states_its_record_from_another_source(
        suggested_across_batches, store, settings, tmp_path):
    """A later batch states SB's record again from another document (another source: a
    second INVOLVES edge of the record, not a restatement): withdrawing batch b removes its
    own edge only, and the suggestion made for the record stays."""
    made = suggested_across_batches
    load_one(store, settings, tmp_path / "b-other", f"{SB},Beta,Unit B,normal",
             f"{SB},B1,Maria Popesku,1990-01-01,19900101-5555,B-2")
    before = suggested(store)
    assert batches.withdraw(store, settings, made["b"]).deleted == 1
    assert suggested(store) == before
    assert raw(store, "MATCH (:Case)-[e:INVOLVES]->(:Person) WHERE e.person_ref = 'B1' "
                      "RETURN e.source") == [["B-2"]]
    assert_no_restatement_left(store)
    assert_indexes_consistent_beside_suggestions(store)


# -- 11. a batch's own merge suggestions, when other batches state both records -------------


@pytest.mark.parametrize("again", [None, "A-1", "A-2"],
                         ids=["no-one-else", "restated", "another-source"])
def test_a_suggestion_stays_while_other_batches_state_both_its_records(
        suggested_across_batches, store, settings, tmp_path, again):
    """Batch a made both suggestions for SA's record; a later batch states that record again
    (the same statement, or one from another document) and so made none of its own.
    Withdrawing batch a keeps them, now the later batch's (before, they went with batch a and
    the lead was lost); withdrawing that batch too then takes them away with the record.
    Without a later statement the record goes, and the suggestions with it."""
    made = suggested_across_batches
    before = suggested(store)
    if again is None:
        batches.withdraw(store, settings, made["a"])
        assert suggested(store) == {}
        assert persons_without_records(store) == []
        return
    later = load_one(store, settings, tmp_path / "a-again", f"{SA},Alfa,Unit A,normal",
                     f"{SA},A1,Maria Popescu,1990-01-01,,{again}")
    assert suggested(store) == before  # one suggestion per pair of records: none made again
    batches.withdraw(store, settings, made["a"])
    assert suggested(store) == {records: (*held[:2], later, held[3])
                                for records, held in before.items()}
    ulla = Actor(name="ulla", role="investigator", cases={SA: "edit", SB: "edit"})
    assert [s["evidence"]["records"] for s in resolve.suggestions(store, ulla)] == [
        [f"{SA}:A1", f"{SB}:B1"]]
    assert_no_restatement_left(store)
    assert_indexes_consistent_beside_suggestions(store)

    batches.withdraw(store, settings, later)
    assert suggested(store) == {}
    assert persons_without_records(store) == []
    assert_indexes_consistent_beside_suggestions(store)


@pytest.mark.parametrize("step", ["ingest/hand_over_batch_facts", "ingest/promote_restatements",
                                  "ingest/hand_over_batch_suggestions",
                                  "ingest/hide_batch_facts", "ingest/delete_batch_edges"])
def test_a_withdrawal_stopped_half_way_still_hands_its_suggestions_over(
        run, monkeypatch, suggested_across_batches, store, settings, tmp_path, step):
    """Stopped after any of those writes, `casegraph ingest recover` finishes the withdrawal
    with the suggestions handed over, as a withdrawal that never stopped leaves them."""
    made = suggested_across_batches
    before = suggested(store)
    later = load_one(store, settings, tmp_path / "a-again", f"{SA},Alfa,Unit A,normal",
                     f"{SA},A1,Maria Popescu,1990-01-01,,A-1")
    _withdraw_until_stopped(monkeypatch, store, settings, made["a"], step)
    result = run("ingest", "recover")
    assert f"finished withdrawing batch {made['a']}" in result.output, result.output
    assert suggested(store) == {records: (*held[:2], later, held[3])
                                for records, held in before.items()}
    assert persons_without_records(store) == []
    assert_no_restatement_left(store)
    assert_indexes_consistent_beside_suggestions(store)
