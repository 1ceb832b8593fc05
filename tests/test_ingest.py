"""Ingest (DESIGN.md sections 3 and 4): resolution, the data model, idempotence, all-or-nothing.

The raw graph is inspected through the FalkorDB client (``store._graph``) because the store
itself only runs reviewed ``.cypher`` files; production code never does this.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from graphapp import model
from ingest import batches, demo, loader, readers, resolve
from ingest import scratch as scratch_module
from ingest.files import FILES
from ingest.loader import Planner, load_directory, survey_directory, write_pending
from ingest.readers import read_directory, read_file
from ingest.scratch import Scratch

ALL_CASES = sorted(c[0] for c in demo.CASES)
PHONE = "+46701234567"

FACT_PROPS = set(model.FACT_PROPERTIES)  # case_id, source, batch_id, rel_key

#: The node properties each label may hold: its key and the store's derived indexes.
NODE_PROPS = {
    "Person": {"person_id", "case_ids", "match_keys", "block_keys"},
    "Phone": {"e164", "case_ids"},
    "Address": {"address_key", "case_ids"},
    "Hotel": {"hotel_key", "case_ids"},
    "Advert": {"advert_key", "case_ids"},
    # Case attributes of cases.csv, its own index, and the batch that created it.
    "Case": {"case_id", "title", "unit", "opened", "classification", "crime", "jit",
             "description", "contact", "case_ids", "created_batch"},
}


# -- helpers ---------------------------------------------------------------------------------


def raw(store, text: str, params: dict | None = None) -> list[list]:
    """Rows of a raw Cypher query against the test graph (test inspection only)."""
    return store._graph.query(text, params or {}).result_set


def counts(store) -> tuple[int, int]:
    nodes = raw(store, "MATCH (n) RETURN count(n)")[0][0]
    edges = raw(store, "MATCH ()-[e]->() RETURN count(e)")[0][0]
    return nodes, edges


def snapshot(store, ignore: tuple[str, ...] = ()) -> tuple[list, list]:
    """Every node (labels, properties) and edge (type, properties but ``ignore``), sorted: the
    whole graph."""
    nodes = sorted(
        repr((r[0], sorted((k, sorted(v) if isinstance(v, list) else v) for k, v in r[1].items())))
        for r in raw(store, "MATCH (n) RETURN labels(n), properties(n)")
    )
    edges = sorted(
        repr((r[0], sorted((k, v) for k, v in r[1].items() if k not in ignore)))
        for r in raw(store, "MATCH ()-[e]->() RETURN type(e), properties(e)")
    )
    return nodes, edges


def person_ids(store) -> dict[str, str]:
    """case_id:person_ref -> person_id, for every INVOLVES edge."""
    rows = raw(store, "MATCH (c:Case)-[e:INVOLVES]->(p:Person) "
                      "RETURN c.case_id, e.person_ref, p.person_id")
    return {f"{c}:{ref}": pid for c, ref, pid in rows}


def write_csv(directory: Path, name: str, lines: list[str], encoding: str = "utf-8") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(("\n".join(lines) + "\n").encode(encoding))


def where(problems) -> set[tuple[str, int, str]]:
    return {(p.file, p.line, p.column) for p in problems}


def reason_at(problems, file: str, line: int, column: str) -> str:
    found = [p.reason for p in problems if (p.file, p.line, p.column) == (file, line, column)]
    assert found, f"no problem at {file}:{line} [{column}]; got {[str(p) for p in problems]}"
    return " ".join(found)


# -- the demo scenario -----------------------------------------------------------------------


def test_demo_phone_in_three_spellings_is_one_phone_in_three_cases(demo_store):
    phones = raw(demo_store, "MATCH (p:Phone) WHERE p.e164 STARTS WITH '+4670' "
                             "RETURN p.e164, p.case_ids")
    assert len(phones) == 1, phones
    e164, case_ids = phones[0]
    assert e164 == PHONE
    assert sorted(case_ids) == ["K-2024-0113", "K-2024-0287", "K-2024-0342"], case_ids
    mentions = raw(demo_store, "MATCH (c:Case)-[m:MENTIONS]->(:Phone {e164: $e}) "
                               "RETURN c.case_id, m.case_id", {"e": PHONE})
    assert sorted({r[1] for r in mentions}) == sorted(case_ids), mentions
    assert all(r[0] == r[1] for r in mentions), mentions
    total = raw(demo_store, "MATCH (p:Phone) RETURN count(p)")[0][0]
    assert total == 5, f"demo has 5 distinct numbers, graph has {total}"


def test_demo_person_with_same_name_and_birth_date_is_one_person(demo_store):
    rows = raw(demo_store,
               "MATCH (c:Case)-[e:INVOLVES]->(p:Person) WHERE e.name = 'Andrei Popescu' "
               "RETURN p.person_id, c.case_id, e.person_ref, e.birth_date, p.case_ids")
    assert len(rows) == 2, rows
    assert rows[0][0] == rows[1][0], f"two person nodes: {rows}"
    assert {(r[1], r[2]) for r in rows} == {("K-2024-0113", "P1"), ("K-2024-0342", "S1")}, rows
    assert {r[3] for r in rows} == {"1987-05-14"}
    assert sorted(rows[0][4]) == ["K-2024-0113", "K-2024-0342"], rows[0][4]
    # 10 records; Andrei Popescu, Maria Ionescu and Florin Dumitru each appear in two cases.
    total = raw(demo_store, "MATCH (p:Person) RETURN count(p)")[0][0]
    assert total == 7, f"expected 7 persons from 10 records, got {total}"
    # Different people stay apart.
    johan = raw(demo_store, "MATCH (:Case)-[e:INVOLVES]->(p:Person) "
                            "WHERE e.name IN ['Johan Karlsson', 'Mikael Nyström'] "
                            "RETURN DISTINCT p.person_id")
    assert len(johan) == 2, johan


def test_demo_abbreviated_street_is_one_address(demo_store):
    rows = raw(demo_store,
               "MATCH (c:Case)-[m:MENTIONS]->(a:Address) WHERE m.street STARTS WITH 'Västra' "
               "RETURN a.address_key, m.street, c.case_id, a.case_ids")
    assert {r[1] for r in rows} == {"Västra Storgatan 12", "Västra Storg. 12"}, rows
    assert len({r[0] for r in rows}) == 1, f"more than one Address node: {rows}"
    assert sorted(rows[0][3]) == ["K-2024-0113", "K-2024-0342"], rows[0][3]
    residents = raw(demo_store, "MATCH (p:Person)-[r:RESIDES_AT]->(a:Address {address_key: $k}) "
                                "RETURN DISTINCT p.person_id", {"k": rows[0][0]})
    assert len(residents) == 1, f"P1 and S1 are one person living there: {residents}"


def test_every_relationship_is_a_traceable_committed_fact(demo_store):
    rows = raw(demo_store, "MATCH ()-[e]->() RETURN type(e), properties(e)")
    assert rows
    for rel_type, props in rows:
        missing = FACT_PROPS - {k for k, v in props.items() if v not in (None, "")}
        assert not missing, f"{rel_type} lacks {missing}: {props}"
        assert props["case_id"] in ALL_CASES, props
        assert "pending_case" not in props, props
    rel_keys = [props["rel_key"] for _, props in rows]
    assert len(rel_keys) == len(set(rel_keys)), "rel_key must identify one fact"
    # Each fact sits in the case its row names: a MENTIONS/INVOLVES edge starts at its own case.
    wrong = raw(demo_store, "MATCH (c:Case)-[e]->() WHERE e.case_id <> c.case_id RETURN e")
    assert wrong == [], wrong


def test_nodes_hold_only_keys_and_indexes(demo_store):
    rows = raw(demo_store, "MATCH (n) RETURN labels(n), properties(n)")
    for labels, props in rows:
        assert len(labels) == 1, labels
        allowed = NODE_PROPS[labels[0]]
        extra = set(props) - allowed
        assert not extra, f"{labels[0]} node holds {extra}: {props}"
    persons = [props for labels, props in rows if labels == ["Person"]]
    assert persons and all("name" not in p and "birth_date" not in p for p in persons)
    text = repr([props for labels, props in rows if labels != ["Case"]]).lower()
    for secret in ("popescu", "andrei", "1987-05-14", "197111309876", "vättern", "vattern hotel"):
        assert secret not in text, f"{secret!r} found on an entity node"
    hotels = [props for labels, props in rows if labels == ["Hotel"]]
    assert len(hotels) == 3 and all("hotel_name" not in h for h in hotels), hotels
    # case_ids equals the cases of the node's edges, for every entity node.
    mismatched = raw(demo_store,
                     "MATCH (n)-[e]-() WHERE NOT n:Case "
                     "WITH n, collect(DISTINCT e.case_id) AS cs "
                     "WHERE size(cs) <> size(n.case_ids) OR any(c IN cs WHERE NOT c IN n.case_ids) "
                     "RETURN labels(n), n.case_ids, cs")
    assert mismatched == [], mismatched


def test_reloading_the_same_directory_changes_nothing(store, settings, demo_dir):
    """Nothing anyone can see: no fact, node or value changes. The second batch states every
    fact again, so each fact records it (restated_by, never shown), and withdrawing the first
    load would keep them all (tests/test_batches.py)."""
    first = load_directory(demo_dir, store, settings)
    assert first.ok, [str(p) for p in first.problems]
    # The files state some facts twice (a hotel in hotels.csv and stays.csv, same source).
    assert first.facts_created == counts(store)[1] <= first.facts_in_files, (
        first.facts_created, first.facts_in_files, counts(store))
    before_counts, before_ids, before = counts(store), person_ids(store), snapshot(store)

    second = load_directory(demo_dir, store, settings)
    assert second.ok, [str(p) for p in second.problems]
    assert second.facts_created == 0, second.facts_created
    assert second.facts_in_files == first.facts_in_files
    assert second.joins == [], second.joins
    assert counts(store) == before_counts, (counts(store), before_counts)
    assert person_ids(store) == before_ids
    assert snapshot(store, ignore=("restated_by",)) == before, \
        "a re-load changed a node or edge property"
    restaters = raw(store, "MATCH ()-[e]->() WHERE type(e) <> 'MAYBE_SAME_AS' "
                           "RETURN e.batch_id, e.restated_by, e.differed_by")
    assert {(b, tuple(r or ()), d) for b, r, d in restaters} == {
        (first.batch_id, (second.batch_id,), None)}, restaters

    # The same batch's writes sent again (the store client resends a query whose answer
    # timed out) change nothing at all, its own facts' lists included.
    after = snapshot(store)
    survey = survey_directory(demo_dir, store)
    write_pending(store, survey, Planner(store, settings.match_key()), second.batch_id)
    write_pending(store, survey, Planner(store, settings.match_key()), first.batch_id)
    assert snapshot(store) == after, "a batch's chunk written again changed the graph"


# -- bad input -------------------------------------------------------------------------------


def make_bad_directory(directory: Path) -> Path:
    write_csv(directory, "cases.csv", [
        "case_id,title,unit",
        "K-1,Test case,Test unit",
    ])
    write_csv(directory, "persons.csv", [
        "case_id,person_ref,name,birth_date,nationality,national_id,role,source",
        "K-1,P1,Anna Berg,1990-01-01,SE,,victim,R1",         # 2: fine
        "K-1,P2,Bo Ek,2024-13-01,SE,,suspect,R2",            # 3: no such month
        "K-1,P3,Cay Dahl,1980-02-02,XX,,buyer,R3",           # 4: no such country
        "K-1,P4,Dan Ek,1970-03-03,SE,,boss,R4",              # 5: not a role
        "K-1,P1,Anna Berg,1990-01-01,SE,,victim,R5",         # 6: P1 again
        "K-1,P5\x07,Eva Ek,1991-04-04,SE,,victim,R6",         # 7: BEL in a person ref
        "K-1,P6,Eva \x1b[2J\x1b[HEk,1991-04-04,SE,,victim,R7",  # 8: ESC (clears a terminal)
        "K-1,P7,Eva\tEk\u00a0Berg,1991-04-04,SE,,victim,R8",  # 9: fine (spaces, collapsed)
    ])
    write_csv(directory, "phones.csv", [
        "case_id,number,person_ref,country_hint,first_seen,last_seen,source",
        "K-1,12ab,,,,,R1",                                   # 2: not a number
        "K-1,070-111 22 33,P9,,,,R2",                        # 3: no person P9 in K-1
        "K-404,070-111 22 44,,,,,R3",                        # 4: no case K-404
    ])
    write_csv(directory, "addresses.csv", [                  # 1: city is missing
        "case_id,street,postcode,country,person_ref,kind,source",
        "K-1,Storgatan 1,11122,SE,P1,residence,R1",
    ])
    write_csv(directory, "hotels.csv", [                     # 1: stars is unknown
        "case_id,hotel_name,street,postcode,city,country,stars,source",
        "K-1,Hotel Nord,,,Malmö,SE,3,R1",
    ])
    write_csv(directory, "calls.csv", [                      # 3: Latin-1 bytes
        "case_id,from_number,to_number,first_call,last_call,count,source",
        "K-1,0701112233,0701112244,,,1,R1",
        "K-1,0701112233,0701112244,,,2,Malmö",
    ], encoding="latin-1")
    (directory / "adverts.csv").write_bytes(b"")             # empty
    write_csv(directory, "phone.csv", ["case_id,number,source", "K-1,0701112233,R1"])
    return directory


#: (file, line, column) -> a word the reason must contain; found by reading the files.
READ_PROBLEMS = {
    ("persons.csv", 3, "birth_date"): "2024-13-01",
    ("persons.csv", 4, "nationality"): "XX",
    ("persons.csv", 5, "role"): "boss",
    ("persons.csv", 6, "person_ref"): "duplicate",
    ("persons.csv", 7, "person_ref"): "control character (U+0007) at position 3",
    ("persons.csv", 8, "name"): "control character (U+001B) at position 5",
    ("phones.csv", 2, "number"): "12ab",
    ("addresses.csv", 1, "city"): "required column is missing",
    ("hotels.csv", 1, "stars"): "unknown column",
    ("calls.csv", 3, ""): "UTF-8",
    ("adverts.csv", 0, ""): "empty",
    ("phone.csv", 0, ""): "unknown file",
}

#: Found only by resolving the rows against each other and the store.
REFERENCE_PROBLEMS = {
    ("phones.csv", 3, "person_ref"): "P9",
    ("phones.csv", 4, "case_id"): "K-404",
}

#: Problems that may also be reported (these file kinds are not loaded by this version).
UNSUPPORTED = {("calls.csv", 0, ""), ("adverts.csv", 0, "")}


def test_bad_directory_reports_every_read_problem_and_writes_nothing(store, settings, tmp_path):
    directory = make_bad_directory(tmp_path / "bad")
    assert counts(store) == (0, 0)
    result = load_directory(directory, store, settings)
    assert not result.ok
    found = where(result.problems)
    assert set(READ_PROBLEMS) <= found, sorted(set(READ_PROBLEMS) - found)
    for (file, line, column), word in READ_PROBLEMS.items():
        reason = reason_at(result.problems, file, line, column)
        assert word.lower() in reason.lower(), f"{file}:{line} [{column}]: {reason}"
    spurious = found - set(READ_PROBLEMS) - set(REFERENCE_PROBLEMS) - UNSUPPORTED
    assert not spurious, f"problems on rows that are fine: {sorted(spurious)}"
    assert result.facts_created == 0
    assert counts(store) == (0, 0), f"a rejected batch wrote {counts(store)}"


def test_bad_directory_also_reports_reference_problems_in_the_same_run(store, settings, tmp_path):
    directory = make_bad_directory(tmp_path / "bad")
    result = load_directory(directory, store, settings)
    found = where(result.problems)
    expected = set(READ_PROBLEMS) | set(REFERENCE_PROBLEMS)
    assert expected <= found, f"missing {sorted(expected - found)}"
    for (file, line, column), word in REFERENCE_PROBLEMS.items():
        assert word in reason_at(result.problems, file, line, column)
    assert counts(store) == (0, 0)


def test_reference_problems_alone_are_reported_and_nothing_is_written(store, settings, tmp_path):
    directory = tmp_path / "refs"
    write_csv(directory, "cases.csv", ["case_id,title,unit", "K-1,Test case,Test unit"])
    write_csv(directory, "persons.csv", [
        "case_id,person_ref,name,source",
        "K-1,P1,Anna Berg,R1",
        "K-404,P1,Bo Ek,R2",
    ])
    write_csv(directory, "phones.csv", [
        "case_id,number,person_ref,source",
        "K-1,070-111 22 33,P1,R1",
        "K-1,070-111 22 44,P9,R2",
        "K-404,070-111 22 55,,R3",
    ])
    result = load_directory(directory, store, settings)
    assert where(result.problems) == {
        ("persons.csv", 3, "case_id"), ("phones.csv", 3, "person_ref"), ("phones.csv", 4, "case_id"),
    }, [str(p) for p in result.problems]
    assert "K-404" in reason_at(result.problems, "phones.csv", 4, "case_id")
    assert "P9" in reason_at(result.problems, "phones.csv", 3, "person_ref")
    assert counts(store) == (0, 0), counts(store)


def test_file_over_the_size_limit_is_refused_unread(tmp_path):
    directory = tmp_path / "big"
    write_csv(directory, "persons.csv", [
        "case_id,person_ref,name,source",
        *(f"K-1,P{i},Person {i},R{i}" for i in range(50)),
    ])
    path = directory / "persons.csv"
    records, problems = read_file(path, FILES["persons.csv"], max_bytes=100)
    assert records == []
    assert [(p.file, p.line, p.column) for p in problems] == [("persons.csv", 0, "")], problems
    assert "over the limit of 100" in problems[0].reason, problems[0].reason
    # The same file under the limit reads fine, and read_directory passes the limit on.
    records, problems = read_file(path, FILES["persons.csv"])
    assert problems == [] and len(records) == 50
    batch = read_directory(directory, max_bytes=100)
    assert [str(p) for p in batch.problems] == [str(p) for p in
                                                read_file(path, FILES["persons.csv"], 100)[1]]


def test_utf8_bom_and_minimal_columns_are_accepted(store, settings, tmp_path):
    directory = tmp_path / "bom"
    directory.mkdir()
    (directory / "cases.csv").write_bytes("\ufeffcase_id,title,unit\nK-1,Ärende,Enhet\n"
                                          .encode("utf-8"))
    result = load_directory(directory, store, settings)
    assert result.ok, [str(p) for p in result.problems]
    assert raw(store, "MATCH (c:Case) RETURN c.case_id, c.title, c.classification") == [
        ["K-1", "Ärende", "normal"]]


# -- dry run, pending facts, later batches ---------------------------------------------------


def test_dry_run_checks_everything_and_writes_nothing(store, settings, demo_dir):
    result = load_directory(demo_dir, store, settings, dry_run=True)
    assert result.ok, [str(p) for p in result.problems]
    assert result.dry_run
    assert result.facts_in_files > 0, result.facts_in_files
    assert result.facts_created == 0
    assert result.cases == ALL_CASES, result.cases
    assert counts(store) == (0, 0), f"dry run wrote {counts(store)}"
    # A real load states the same facts; a fact stated by two rows is created once.
    real = load_directory(demo_dir, store, settings)
    assert real.facts_in_files == result.facts_in_files, (real.facts_in_files, result.facts_in_files)
    assert 0 < real.facts_created <= result.facts_in_files, (real.facts_created, result.facts_in_files)
    assert counts(store)[1] == real.facts_created, (counts(store), real.facts_created)


def test_pending_facts_are_invisible_until_the_batch_commits(store, settings, demo_dir):
    survey = survey_directory(demo_dir, store)
    assert survey.problems == [], [str(p) for p in survey.problems]
    write_pending(store, survey, Planner(store, settings.match_key()), "b-test-pending")
    pending = counts(store)[1]
    assert pending > 0

    hits = store.read("views/search_phone", {"e164": PHONE}, allowed_cases=ALL_CASES)
    assert hits == [], f"pending facts were visible: {hits}"
    case = store.read("views/entity/case", {"keys": ["K-2024-0113"]}, allowed_cases=ALL_CASES)
    assert case == [], f"a case created by a pending batch was visible: {case}"
    visible = raw(store, "MATCH ()-[e]->() WHERE e.case_id IS NOT NULL RETURN count(e)")[0][0]
    assert visible == 0, f"{visible} edges carry case_id before commit"

    committed = batches.commit(store, "b-test-pending")
    assert committed[0] == pending
    # Run again (as the store client does when an answer times out), it reports the same.
    assert batches.commit(store, "b-test-pending") == committed
    assert store.read("views/entity/case", {"keys": ["K-2024-0113"]}, allowed_cases=ALL_CASES)
    hits = store.read("views/search_phone", {"e164": PHONE}, allowed_cases=ALL_CASES)
    assert len(hits) == 1, hits
    assert sorted(hits[0]["cases"]) == ["K-2024-0113", "K-2024-0287", "K-2024-0342"], hits
    # Still scoped: a user of one other case sees nothing.
    assert store.read("views/search_phone", {"e164": PHONE}, allowed_cases=["K-2025-0019"]) == []


def test_second_batch_adds_facts_to_an_existing_case(demo_store, settings, tmp_path):
    directory = tmp_path / "more"
    write_csv(directory, "phones.csv", [
        "case_id,number,person_ref,source",
        "K-2024-0113,+46 73 555 12 12,P2,A-2024-0113-09",   # a number so far only in K-2024-0287
    ])
    write_csv(directory, "persons.csv", [
        "case_id,person_ref,name,birth_date,source",
        "K-2024-0287,C,ANDREI  POPESCU,1987-05-14,A-2024-0287-20",
    ])
    nodes_before, edges_before = counts(demo_store)
    andrei = person_ids(demo_store)["K-2024-0113:P1"]

    result = load_directory(directory, demo_store, settings)
    assert result.ok, [str(p) for p in result.problems]
    assert result.facts_created == 3, result.facts_created   # MENTIONS, USES, INVOLVES
    assert counts(demo_store) == (nodes_before, edges_before + 3), counts(demo_store)
    phone = raw(demo_store, "MATCH (p:Phone {e164: '+46735551212'}) RETURN p.case_ids")
    assert sorted(phone[0][0]) == ["K-2024-0113", "K-2024-0287"], phone
    # The new record joined the known person on exact name + birth date, and says so.
    assert person_ids(demo_store)["K-2024-0287:C"] == andrei
    assert result.joins == [{"record": "K-2024-0287:C", "person_id": andrei, "on": "nb"}], \
        result.joins
    cases = raw(demo_store, "MATCH (p:Person {person_id: $p}) RETURN p.case_ids", {"p": andrei})
    assert sorted(cases[0][0]) == ["K-2024-0113", "K-2024-0287", "K-2024-0342"], cases


def test_batch_for_an_unknown_case_is_refused_with_a_clear_reason(demo_store, settings, tmp_path):
    directory = tmp_path / "unknown"
    write_csv(directory, "phones.csv", [
        "case_id,number,source",
        "K-2024-0113,070-999 88 77,A-1",
        "K-2099-0001,070-999 88 66,A-2",
    ])
    before = snapshot(demo_store)
    result = load_directory(directory, demo_store, settings)
    assert not result.ok
    assert where(result.problems) == {("phones.csv", 3, "case_id")}, \
        [str(p) for p in result.problems]
    reason = result.problems[0].reason
    assert "K-2099-0001" in reason and "cases.csv" in reason and "loaded" in reason, reason
    assert snapshot(demo_store) == before, "a refused batch wrote to the graph"


# -- flat memory: the per-record state on disk, read a chunk at a time -----------------------


def test_scratch_tables_keep_the_first_value_page_in_order_and_leave_no_file(tmp_path):
    with Scratch(tmp_path / "tmp") as scratch:
        ids_, keys = scratch.table("ids"), scratch.table("keys")
        ids_.add([("b", "1"), ("a", "2"), ("b", "3")])
        keys.add([("b", "9")])
        assert ids_.get(["a", "b", "c"]) == {"a": "2", "b": "1"}
        assert keys.get(["a", "b"]) == {"b": "9"}
        assert list(ids_.pages(1)) == [["a"], ["b"]]
        assert list(scratch.table("ids").pages()) == [["a", "b"]]
        assert list((tmp_path / "tmp").iterdir()) == []   # unlinked as soon as it is open


def test_duplicates_are_found_across_chunks_on_disk_as_in_memory(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "UNIQUE_CHUNK", 2)
    write_csv(tmp_path, "persons.csv", [
        "case_id,person_ref,name,source",
        "K-1,P1,A,s", "K-1,P2,B,s", "K-1,P3,C,s", "K-1,P1,D,s", "K-1,P4,E,s", "K-1,P3,F,s",
        "K-1,P2,G,s",
    ])
    path, spec = tmp_path / "persons.csv", FILES["persons.csv"]
    in_memory = list(readers.check_file(path, spec))
    with Scratch(tmp_path / "tmp") as scratch:
        on_disk = list(readers.check_file(path, spec, seen=scratch.table("seen")))
    assert on_disk == in_memory
    assert [(p.line, p.reason) for p in in_memory if isinstance(p, readers.Problem)] == [
        (5, "duplicate case_id, person_ref ('K-1', 'P1'), first on line 2"),
        (7, "duplicate case_id, person_ref ('K-1', 'P3'), first on line 4"),
        (8, "duplicate case_id, person_ref ('K-1', 'P2'), first on line 3"),
    ]


def _outcome(store, result) -> tuple:
    """What a load decided, free of its random person ids: which records are one person,
    the joins, the suggestions and the graph's size."""
    by_person: dict[str, list[str]] = {}
    for record, pid in person_ids(store).items():
        by_person.setdefault(pid, []).append(record)
    suggestions = sorted(r[0] for r in raw(store, "MATCH ()-[s:MAYBE_SAME_AS]->() "
                                                  "RETURN s.rel_key"))
    joins = sorted((j["record"], j["on"]) for j in result.joins)
    return (sorted(sorted(g) for g in by_person.values()), joins, suggestions, counts(store),
            result.suggestions, result.facts_created)


def test_small_chunks_decide_exactly_as_one_chunk(store, settings, tmp_path, monkeypatch):
    """Resolution, joins, suggestions and duplicate checks carried from chunk to chunk
    through the on-disk tables decide what one chunk would."""
    demo_dir = demo.write_scenario(tmp_path / "demo", rows=2_000, seed=3)
    whole = load_directory(demo_dir, store, settings)
    assert whole.ok and whole.joins and whole.suggestions, whole
    expected = _outcome(store, whole)
    store.drop_all()
    store.ensure_schema()
    monkeypatch.setattr(loader, "BATCH_SIZE", 97)
    monkeypatch.setattr(readers, "UNIQUE_CHUNK", 13)
    monkeypatch.setattr(scratch_module, "LOOKUP_CHUNK", 7)
    monkeypatch.setattr(resolve, "FIRST_KEYS", 3)
    monkeypatch.setattr(resolve, "CANDIDATE_ROWS", 40)
    chunked = load_directory(demo_dir, store, settings)
    assert chunked.ok, [str(p) for p in chunked.problems]
    assert _outcome(store, chunked) == expected


# -- how planned rows are sent -----------------------------------------------------------------


def test_planned_rows_are_laid_out_as_each_query_reads_them(store):
    """Each load query names the positions of its rows (``row[i] AS column``) exactly as the
    planner fills them (``ROW_COLUMNS``), and every fact column is one of them."""
    import re

    for file_name, columns in loader.ROW_COLUMNS.items():
        text = store.query(loader.load_query(file_name)).text
        named = re.findall(r"row\[(\d+)\] AS (\w+)", text)
        assert [(int(i), c) for i, c in named] == list(enumerate(columns)), file_name
        for index, rel_type in loader.FILE_FACTS[file_name]:
            assert f"{{rel_key: {columns[index]}}}" in text, (file_name, rel_type)


AWKWARD_VALUES = [
    "plain", "", 'say "hi"', "back\\slash", "line\nbreak", "tab\there", "bell\x07",
    "Ångström Ærø Şerban Александр 北京", "emoji 😀", "`tick`", "x\x1fy",
    ["a", None, "b"], [], {"k": "v", "n": None, "list": ["x", 'y"']}, {}, 0, -12, 3.25,
    {"key with space": 1}, {"Ä": "é"}, [["C-1", "+46701234567", None, ["nid:ab", "nb:cd"]]],
    # quotes and backslashes outside maps (a suggestion's evidence is JSON text)
    [["a", "b", '{"names": ["A \\"x\\" B", "C"], "name_score": 91.5}', 91.5, "resolver"]],
    ['x":y', 'a\\"b', "\\n", "ends\\", 'q"'], [["a", "b\\\\"], ":"], 'x\\\\"',
    {"k": 'x"y\\', "m": {"n": 'say "hi":'}}, ['q"', "l\n"],
]


def test_cypher_literal_is_the_clients_encoding_made_faster():
    """The store's C-encoded parameter text is what the falkordb client would send."""
    from falkordb.helpers import stringify_param_value

    from graphapp.store.falkor import cypher_literal

    for value in AWKWARD_VALUES:
        assert cypher_literal(value) == stringify_param_value(value), value


def test_cypher_literal_round_trips_through_the_server(store):
    """Every value comes back from the server as it was sent, escapes included."""
    from graphapp.store.falkor import cypher_literal

    for value in AWKWARD_VALUES:
        got = store._graph.ro_query(f"CYPHER v={cypher_literal(value)} RETURN $v").result_set
        assert got == [[value]], value


def test_ascii_text_folds_as_the_general_rule_does():
    """fold_text's shortcut for ASCII text gives what the character-by-character rule gives."""
    from ingest import normalise

    samples = ["".join(chr(c) for c in range(128)), "  O'Brien-Smith,  Jr.  ", "S:t Eriksg. 5B",
               "Hotel `Nordic` | Malmo", "\tTAB\x1fsep\x00nul", "", "x" * 3, "A.B;C:D/E\\F"]
    samples += [chr(c) + "ab" + chr(c) + "CD" for c in range(128)]
    for text in samples:
        assert text.isascii()
        general = normalise._drop_punctuation(normalise._fold_letters(text))
        assert normalise.fold_text(text) == general, repr(text)


def _survey_with(directory, store, tmp_path, monkeypatch, *, helper: bool):
    """The survey of ``directory`` with a second process checking the last files, or not;
    with what its spool holds."""
    from ingest.spool import Spool

    monkeypatch.setattr(loader, "HELPER_MIN_BYTES", 0 if helper else 1 << 62)
    forked = []
    original = loader._Helper.__init__

    def spy(self, files, *args):
        forked.append([spec.name for _, spec in files])
        original(self, files, *args)

    monkeypatch.setattr(loader._Helper, "__init__", spy)
    with Spool(tmp_path / ("h" if helper else "s")) as spool, Scratch() as scratch:
        survey = survey_directory(directory, store, spool=spool, scratch=scratch)
        spooled = list(spool)
        chunks = spool.chunks
    assert bool(forked) == helper, forked
    if helper:
        names = [spec.name for _, spec in survey.files]
        assert forked[0] == names[len(names) - len(forked[0]):]
        assert forked[0] and not set(forked[0]) & {"cases.csv", "persons.csv"}
    return (survey.problems, survey.manifest, survey.cases, survey.rejected_keys, spooled,
            chunks)


#: Under pytest-xdist a worker runs an I/O thread of its own (execnet's, started without
#: ``threading``, so the loader's own check for threads does not see it), blocked on its pipe;
#: Python then warns at the helper's fork. The helper touches none of that thread's state.
XDIST_IO_THREAD = pytest.mark.filterwarnings(
    "ignore:This process .* is multi-threaded, use of fork:DeprecationWarning")


@XDIST_IO_THREAD
def test_a_second_process_checking_the_last_files_finds_what_one_process_finds(
        store, tmp_path, monkeypatch):
    """Problems (in order), manifests, cases, rejected rows and the spooled records are the
    same whether the last files are checked in a second process or not; in a good batch and
    in a bad one, with chunks smaller than the files."""
    monkeypatch.setattr(loader, "BATCH_SIZE", 7)
    good = demo.write_scenario(tmp_path / "good")
    bad = make_bad_directory(tmp_path / "bad")
    for directory in (good, bad):
        alone = _survey_with(directory, store, tmp_path, monkeypatch, helper=False)
        shared = _survey_with(directory, store, tmp_path, monkeypatch, helper=True)
        assert shared == alone, directory
    assert alone[0], "the bad directory reports problems"


@XDIST_IO_THREAD
def test_a_second_process_that_fails_fails_the_survey(store, tmp_path, monkeypatch):
    """An error in the second process is raised in the survey, not lost."""
    directory = demo.write_scenario(tmp_path / "demo")
    original = loader.check_file

    def broken(path, spec, *args, **kwargs):
        if spec.name == "associations.csv":
            raise OSError("disk gone")
        return original(path, spec, *args, **kwargs)

    monkeypatch.setattr(loader, "check_file", broken)
    with pytest.raises(RuntimeError, match="disk gone"):
        _survey_with(directory, store, tmp_path, monkeypatch, helper=True)
