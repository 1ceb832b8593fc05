"""Load a directory of CSV files as one batch, all or nothing, in flat memory.

Pass one streams every file through the checks (:mod:`ingest.readers`) and resolves what the
rows point at (cases, persons), so that every problem is reported before anything is
written. Pass two streams the files again in load order, about 5,000 rows at a time, and
writes each chunk's facts *pending* (invisible to every read); one query then commits the
whole batch and the touched nodes' indexes are derived (:mod:`ingest.batches`). Pass two,
from recording the batch to its merge suggestions, holds the ingest lock: one batch writes
at a time (another load's pass one runs meanwhile), so the facts it restates are committed
ones (:func:`ingest.batches.serialised`).
"""

from __future__ import annotations

import getpass
import json
import os
import signal
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import batched, chain
from pathlib import Path

from graphapp.settings import Settings
from graphapp.store import BATCH_SIZE, GraphStore
from ingest import batches, ids, malloc, normalise, resolve
from ingest.chunks import ChunkWriter
from ingest.files import FileSpec
from ingest.readers import KEY_SEP, MAX_FILE_BYTES, Problem, Record, check_file, csv_files
from ingest.scratch import Scratch
from ingest.spool import Spool

#: Columns that point at a case's person, by file.
PERSON_REF_COLUMNS = {
    "phones.csv": ("person_ref",),
    "addresses.csv": ("person_ref",),
    "stays.csv": ("person_ref",),
    "associations.csv": ("person_ref_a", "person_ref_b"),
}

#: The columns of the rows planned from each fact file, in order: the rows are lists (the
#: store encodes lists of strings many times faster than maps), and each
#: ``cypher/ingest/load_<file>.cypher`` names these positions once (``row[i] AS column``).
#: A fact's key column is null when a row does not state that fact (a phone with no
#: person_ref, a hotel with no street); an empty property is null.
ROW_COLUMNS: dict[str, tuple[str, ...]] = {
    "persons.csv": ("case_id", "person_id", "involves", "match_keys", "block_keys", "person_ref",
                    "name", "birth_date", "nationality", "national_id", "role", "source"),
    "phones.csv": ("case_id", "phone", "mention", "first_seen", "last_seen", "source", "uses",
                   "person_id", "person_ref"),
    "addresses.csv": ("case_id", "address", "mention", "street", "postcode", "city", "country",
                      "source", "resides_at", "person_id", "kind", "person_ref"),
    "hotels.csv": ("case_id", "hotel", "mention", "hotel_name", "street", "postcode", "city",
                   "country", "source", "address", "address_mention", "located_at"),
    "stays.csv": ("case_id", "hotel", "mention", "hotel_name", "city", "country", "source",
                  "stayed_at", "person_id", "check_in", "check_out", "room", "person_ref"),
    "calls.csv": ("case_id", "from_phone", "to_phone", "from_mention", "to_mention", "called",
                  "first_call", "last_call", "call_count", "source"),
    "adverts.csv": ("case_id", "advert", "mention", "site", "advert_id", "url", "posted",
                    "city", "source", "phone", "phone_mention", "lists"),
    "associations.csv": ("case_id", "person_id", "other_person_id", "associated_with", "kind",
                         "person_ref_a", "person_ref_b", "source"),
}

#: The facts each file's rows state: (key column, relationship type).
_FACT_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "persons.csv": (("involves", "INVOLVES"),),
    "phones.csv": (("mention", "MENTIONS"), ("uses", "USES")),
    "addresses.csv": (("mention", "MENTIONS"), ("resides_at", "RESIDES_AT")),
    "hotels.csv": (("mention", "MENTIONS"), ("address_mention", "MENTIONS"),
                   ("located_at", "LOCATED_AT")),
    "stays.csv": (("mention", "MENTIONS"), ("stayed_at", "STAYED_AT")),
    "calls.csv": (("from_mention", "MENTIONS"), ("to_mention", "MENTIONS"), ("called", "CALLED")),
    "adverts.csv": (("mention", "MENTIONS"), ("phone_mention", "MENTIONS"), ("lists", "LISTS")),
    "associations.csv": (("associated_with", "ASSOCIATED_WITH"),),
}

#: The same, by position in the planned row: (index, relationship type).
FILE_FACTS: dict[str, tuple[tuple[int, str], ...]] = {
    name: tuple((ROW_COLUMNS[name].index(col), rel_type) for col, rel_type in facts)
    for name, facts in _FACT_COLUMNS.items()
}


def load_query(file_name: str) -> str:
    """The query that writes one chunk of rows planned from ``file_name``."""
    return "ingest/merge_cases" if file_name == "cases.csv" else \
        f"ingest/load_{file_name.removesuffix('.csv')}"


def planned_facts(file_name: str, rows: list[list]) -> Iterator[tuple[str, str, str]]:
    """(relationship type, rel_key, case_id) of every fact the planned rows state."""
    for index, rel_type in FILE_FACTS.get(file_name, ()):
        for row in rows:
            if row[index] is not None:
                yield rel_type, row[index], row[0]


Progress = Callable[[int], None]


class IngestRefused(Exception):
    """The acting user may not load into some of the batch's cases; nothing was written."""

    def __init__(self, message: str, cases: list[str]):
        super().__init__(message)
        self.cases = cases


@dataclass
class Survey:
    """What pass one learnt: the files, every problem, row counts and digests, the cases."""

    directory: Path
    files: list[tuple[Path, FileSpec]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    #: file name -> {"sha256", "bytes", "rows"}
    manifest: dict[str, dict] = field(default_factory=dict)
    cases: set[str] = field(default_factory=set)
    rejected_keys: set[tuple[str, ...]] = field(default_factory=set)
    #: The checked records, when pass one kept them (else pass two checks the files again).
    spool: Spool | None = None

    @property
    def rows(self) -> int:
        return sum(f["rows"] for f in self.manifest.values())


@dataclass
class LoadResult:
    batch_id: str
    problems: list[Problem]
    cases: list[str] = field(default_factory=list)
    rows_read: int = 0
    #: Facts the files state (a fact stated twice counts twice).
    facts_in_files: int = 0
    facts_created: int = 0
    entities_created: int = 0
    entities_matched: int = 0
    #: Entities the batch's facts touch (its files name them all: safe to tell anyone).
    entities_touched: int = 0
    suggestions: int = 0
    #: Reported by a user's visibility (a load --as USER): counts that would tell of hidden
    #: cases (entities or persons already known, suggestions against hidden records) are
    #: left out or counted over visible cases only.
    scoped: bool = False
    seconds: float = 0.0
    dry_run: bool = False
    joins: list[dict] = field(default_factory=list)
    files: dict[str, dict] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def counts(self) -> dict:
        return {k: getattr(self, k) for k in (
            "rows_read", "facts_in_files", "facts_created", "entities_created",
            "entities_matched", "entities_touched", "suggestions", "seconds")}


# -- pass one: check everything, write nothing ---------------------------------------------


#: Pass one checks the last files of a batch of at least this many bytes in a second process
#: (a fork) while it checks the first ones itself: the store is idle while rows are checked,
#: and so is the machine's other core.
HELPER_MIN_BYTES = 4 * 1024 * 1024
#: The second process's share of the batch's bytes, about: this process also takes in what
#: the other found.
HELPER_SHARE = 0.5
#: Files the second process never checks: their unique keys live in this process's tables,
#: and the files after them need their cases and person records.
_OWN_FILES = ("cases.csv", "persons.csv")


@dataclass
class _Chunk:
    """Up to ``BATCH_SIZE`` checked rows of one file, with what the survey notes of them:
    the person records they name, their uses of cases that cases.csv does not hold, their
    cases."""

    rows: int
    checked: list[list] | None
    refs: list[tuple[str, str, int, str]]
    uses: list[tuple[str, int]]
    cases: set[str]


def survey_directory(directory: Path, store: GraphStore, max_bytes: int = MAX_FILE_BYTES,
                     visible_cases: frozenset[str] | None = None,
                     spool: Spool | None = None, scratch: Scratch | None = None) -> Survey:
    """Check every row of every file and every reference to a case or a person.

    With ``visible_cases`` (a load ``--as`` a user), a case the user may not see is reported
    exactly like one that does not exist, so the report reveals nothing about it. With a
    ``spool``, the checked records are kept there for pass two, and a large batch's last
    files are checked in a second process meanwhile (:class:`_Helper`; what it found is
    taken in file order, so the survey is the same). The files' unique keys (so the batch's
    person records) are kept in ``scratch``'s tables (in memory without one).
    """
    survey = Survey(directory=Path(directory), spool=spool)
    survey.files, survey.problems = csv_files(directory)
    scratch = scratch if scratch is not None else Scratch()
    batch_cases: set[str] = set()
    case_uses: dict[str, list[tuple[str, int]]] = defaultdict(list)
    ref_uses: dict[tuple[str, str], list[tuple[str, int, str]]] = defaultdict(list)
    shared = _helper_files(survey.files) if spool is not None else []
    own = survey.files[:len(survey.files) - len(shared)]
    helper: _Helper | None = None
    try:
        for path, spec in own:
            if shared and helper is None and spec.name != "cases.csv":
                helper = _Helper(shared, max_bytes, batch_cases, spool)
            rows = 0
            seen = scratch.table(f"unique:{spec.name}")
            for item in _file_chunks(path, spec, max_bytes, survey.rejected_keys, seen,
                                     batch_cases):
                rows += _take(survey, spec.name, item, scratch, case_uses, ref_uses)
            survey.manifest[spec.name] = _manifest(path, rows)
        if shared and helper is None:  # nothing but the shared files (no cases.csv either)
            helper = _Helper(shared, max_bytes, batch_cases, spool)
        if helper is not None:
            for name, item in helper.results():
                if isinstance(item, dict):
                    survey.manifest[name] = item
                elif isinstance(item, set):
                    survey.rejected_keys |= item
                else:
                    _take(survey, name, item, scratch, case_uses, ref_uses)
            helper.hand_over()
    finally:
        if helper is not None:
            helper.close()
    survey.problems += _unknown_references(store, survey, batch_cases, case_uses, ref_uses,
                                           visible_cases)
    return survey


def _file_chunks(path: Path, spec: FileSpec, max_bytes: int,
                 rejected_keys: set[tuple[str, ...]], seen, batch_cases: set[str],
                 keep: bool = True) -> Iterator[Problem | _Chunk]:
    """Check one file: each problem, and the checked rows a chunk at a time, in file order
    (the last chunk may be empty). cases.csv's cases join ``batch_cases``."""
    checked: list[list] = []
    refs: list[tuple[str, str, int, str]] = []
    uses: list[tuple[str, int]] = []
    cases: set[str] = set()
    ref_columns = PERSON_REF_COLUMNS.get(spec.name, ())
    is_cases = spec.name == "cases.csv"
    rows = 0
    for item in check_file(path, spec, max_bytes, rejected_keys, seen):
        if isinstance(item, Problem):
            yield item
            continue
        rows += 1
        case = item["case_id"]
        cases.add(case)
        if is_cases:
            batch_cases.add(case)
        elif case not in batch_cases:
            uses.append((case, item.line))
        refs += [(case, item[col], item.line, col) for col in ref_columns if item[col]]
        if keep:
            checked.append([item.line, item.values])
        if rows == BATCH_SIZE:
            yield _Chunk(rows, checked if keep else None, refs, uses, cases)
            checked, refs, uses, cases, rows = [], [], [], set(), 0
    yield _Chunk(rows, checked if keep else None, refs, uses, cases)


def _take(survey: Survey, file_name: str, item: Problem | _Chunk, scratch: Scratch,
          case_uses: dict[str, list[tuple[str, int]]],
          ref_uses: dict[tuple[str, str], list[tuple[str, int, str]]]) -> int:
    """Note one problem or chunk of ``file_name`` in the survey; return its rows."""
    if isinstance(item, Problem):
        survey.problems.append(item)
        return 0
    survey.cases |= item.cases
    for case, line in item.uses:
        case_uses[case].append((file_name, line))
    _outside_batch(scratch, file_name, item.refs, ref_uses)
    if item.checked is not None and survey.spool is not None:
        survey.spool.add(file_name, item.checked)
    return item.rows


def _manifest(path: Path, rows: int) -> dict:
    return {"sha256": _sha256(path), "bytes": path.stat().st_size, "rows": rows}


def _helper_files(files: list[tuple[Path, FileSpec]]) -> list[tuple[Path, FileSpec]]:
    """The last files, about half the batch's bytes, for a second process to check; none for
    a small batch, or where forking is not safe (another thread running) or possible."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return []
    sizes = [path.stat().st_size for path, _ in files]
    total = sum(sizes)
    if total < HELPER_MIN_BYTES:
        return []
    target = total * HELPER_SHARE
    shared = 0
    first = len(files)
    while first > 0 and files[first - 1][1].name not in _OWN_FILES and shared < target:
        size = sizes[first - 1]
        if shared + size - target > target - shared:
            break  # the shares come out closer without this file
        shared += size
        first -= 1
    return files[first:]


def _die_with_parent() -> None:
    """Have the kernel stop this process when the one that forked it ends (Linux; a loader
    killed mid-survey leaves no helper checking on)."""
    if sys.platform.startswith("linux"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


class _Helper:
    """A forked process that checks the batch's last files while this one checks the first.

    It writes the checked rows in the spool's own format to a file of its own, and
    everything else the survey notes (problems, chunks' references and cases, manifests,
    rejected keys) as JSON lines to another, both unlinked files in the spool's directory;
    :meth:`results` reads them back in order once it has finished, and :meth:`hand_over`
    appends its checked rows to the spool. It touches neither the store nor the scratch
    tables, and leaves by ``os._exit``: nothing of this process (its store client, its exit
    handlers) runs twice.
    """

    def __init__(self, files: list[tuple[Path, FileSpec]], max_bytes: int,
                 batch_cases: set[str], spool: Spool):
        self.spool = spool
        self._rows = tempfile.TemporaryFile(mode="w+", encoding="utf-8", dir=spool.directory)
        self._notes = tempfile.TemporaryFile(mode="w+", encoding="utf-8", dir=spool.directory)
        self.pid: int | None = os.fork()
        if self.pid == 0:  # the helper
            code = 1
            try:
                _die_with_parent()
                self._check(files, max_bytes, batch_cases)
                code = 0
            except BaseException as exc:  # noqa: BLE001 - reported to the parent
                self._note(["error", f"{type(exc).__name__}: {exc}"])
            finally:
                try:
                    self._rows.flush()
                    self._notes.flush()
                finally:
                    os._exit(code)

    def _note(self, value: list) -> None:
        self._notes.write(json.dumps(value, ensure_ascii=False, separators=(",", ":")))
        self._notes.write("\n")

    def _check(self, files, max_bytes: int, batch_cases: set[str]) -> None:
        rows_out = Spool.writer(self._rows)
        rejected: set[tuple[str, ...]] = set()
        for path, spec in files:
            rows = 0
            for item in _file_chunks(path, spec, max_bytes, rejected, None, batch_cases):
                if isinstance(item, Problem):
                    self._note(["p", item.file, item.line, item.column, item.reason])
                    continue
                rows += item.rows
                chunks = rows_out(spec.name, item.checked)
                self._note(["c", spec.name, item.rows, chunks, item.refs, item.uses,
                            sorted(item.cases)])
            self._note(["m", spec.name, _manifest(path, rows)])
        self._note(["r", sorted(rejected)])

    def results(self) -> Iterator[tuple[str, Problem | _Chunk | dict | set]]:
        """What the helper found, in file order: (file, problem, chunk, manifest or the
        rejected rows' keys)."""
        self._wait()
        self._notes.seek(0)
        self.chunks = 0
        for line in self._notes:
            note = json.loads(line)
            kind = note[0]
            if kind == "p":
                yield note[1], Problem(*note[1:])
            elif kind == "c":
                _, name, rows, chunks, refs, uses, cases = note
                self.chunks += chunks
                yield name, _Chunk(rows, None, [tuple(r) for r in refs],
                                   [tuple(u) for u in uses], set(cases))
            elif kind == "m":
                yield note[1], note[2]
            elif kind == "r":
                yield "", {tuple(k) for k in note[1]}
            else:
                raise RuntimeError(f"checking files in a second process failed: {note[1]}")

    def hand_over(self) -> None:
        """Append the helper's checked rows to the spool, after this process's own."""
        self.spool.extend(self._rows, self.chunks)

    def _wait(self) -> None:
        if self.pid:
            _, status = os.waitpid(self.pid, 0)
            self.pid = None
            if os.waitstatus_to_exitcode(status) != 0:
                self._notes.seek(0)
                notes = [line for line in self._notes if line.startswith('["error"')]
                detail = json.loads(notes[-1])[1] if notes else f"exit status {status}"
                raise RuntimeError(f"checking files in a second process failed: {detail}")

    def close(self) -> None:
        """Stop the helper if it still runs (this process failed or was interrupted)."""
        if self.pid:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(self.pid, 0)
            self.pid = None
        self._rows.close()
        self._notes.close()


def _outside_batch(scratch: Scratch, file_name: str, refs: list[tuple[str, str, int, str]],
                   ref_uses: dict[tuple[str, str], list[tuple[str, int, str]]]) -> None:
    """Note the uses of person records that persons.csv does not hold (known ones, or none).

    persons.csv is checked before every file that points at a person, and its unique key is
    the record's (case_id, person_ref): its table of keys is the batch's person records.
    """
    batch = scratch.table("unique:persons.csv").get({_ref_key(c, r) for c, r, _, _ in refs})
    for case, ref, line, col in refs:
        if _ref_key(case, ref) not in batch:
            ref_uses[(case, ref)].append((file_name, line, col))


def _unknown_references(store, survey, batch_cases, case_uses, ref_uses,
                        visible_cases) -> list[Problem]:
    """Problems for rows naming a case or a person that neither the batch nor the graph has."""
    problems = []
    existing_cases = {r["case_id"] for r in _lookup(store, "ingest/existing_cases", "case_ids",
                                                    sorted(case_uses))}
    if visible_cases is not None:
        existing_cases &= visible_cases
    known_cases = existing_cases | batch_cases
    for case, places in case_uses.items():
        if case in existing_cases or ("case", case) in survey.rejected_keys:
            continue
        problems += [Problem(f, line, "case_id",
                             f"case {case} is neither in cases.csv nor already loaded")
                     for f, line in places]
    wanted = [{"case_id": c, "person_ref": r} for c, r in sorted(ref_uses)]
    existing_refs = {(r["case_id"], r["person_ref"])
                     for r in _lookup(store, "ingest/existing_person_refs", "refs", wanted)}
    for (case, ref), places in ref_uses.items():
        if (case, ref) in existing_refs or ("person", case, ref) in survey.rejected_keys:
            continue
        if case not in known_cases:
            continue  # the unknown case is reported already
        problems += [Problem(f, line, col, f"person_ref {ref} is not a person of case {case}")
                     for f, line, col in places]
    return problems


def _lookup(store: GraphStore, name: str, param: str, values: list) -> list[dict]:
    rows = []
    for chunk in batched(values, BATCH_SIZE):
        rows += store.read_unscoped(name, {param: list(chunk)})
    return rows


def _ref_key(case_id: str, person_ref: str) -> str:
    """A case record's key in the planner's tables."""
    return f"{case_id}{KEY_SEP}{person_ref}"


def _sha256(path: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


# -- pass two: plan each chunk ---------------------------------------------------------------


class Planner:
    """Turn checked records into rows for the ingest queries, one chunk at a time.

    What resolution needs across chunks - each case record's person id, the match keys and
    the blocking keys of this batch's records - is kept in on-disk tables (``scratch``; in
    memory when none is given), looked up and stored a chunk at a time: the planner's memory
    does not grow with the batch.
    """

    def __init__(self, store: GraphStore, match_key: bytes, scratch: Scratch | None = None):
        self.store = store
        self.match_key = match_key
        self.scratch = scratch if scratch is not None else Scratch()
        #: "case_id\x1fperson_ref" -> person_id, for every record the batch names
        self.person_ids = self.scratch.table("person_ids")
        #: match key -> person_id, for records of this batch and the persons they joined
        self.by_key = self.scratch.table("match_keys")
        #: blocking keys of the batch's person records, for the near-match search
        self.block_keys = self.scratch.table("block_keys")
        self.joins: list[dict] = []
        #: The chunk being planned: its records' person ids, its match keys' persons, and
        #: id(record) -> (match keys, blocking keys); what is new goes to the tables after it.
        self._ids: dict[tuple[str, str], str] = {}
        self._by_key: dict[str, str] = {}
        self._new_ids: list[tuple[str, str]] = []
        self._keys: dict[int, tuple[list[str], list[str]]] = {}

    def plan(self, file_name: str, records: list[Record]) -> list:
        """Rows for ``load_query(file_name)`` from one chunk of one file."""
        self._prefetch_refs(file_name, records)
        if file_name == "persons.csv":
            self._prefetch_match_keys(records)
        handler = getattr(self, "_" + file_name.removesuffix(".csv"))
        rows = [handler(rec) for rec in records]
        if file_name == "persons.csv":
            self._remember()
        return rows

    def _prefetch_refs(self, file_name: str, records: list[Record]) -> None:
        """The person ids of the records this chunk names: from the batch, else the graph."""
        cols = PERSON_REF_COLUMNS.get(file_name, ())
        if file_name == "persons.csv":
            cols = ("person_ref",)
        wanted = {(r["case_id"], r[c]) for r in records for c in cols if r[c]}
        stored = self.person_ids.get([_ref_key(*ref) for ref in wanted])
        self._ids = {}
        missing = []
        for ref in wanted:
            pid = stored.get(_ref_key(*ref))
            if pid is None:
                missing.append(ref)
            else:
                self._ids[ref] = pid
        params = [{"case_id": c, "person_ref": p} for c, p in sorted(missing)]
        found = []
        for row in _lookup(self.store, "ingest/existing_person_refs", "refs", params):
            ref = (row["case_id"], row["person_ref"])
            self._ids[ref] = row["person_id"]
            found.append((_ref_key(*ref), row["person_id"]))
        self.person_ids.add(found)

    def _prefetch_match_keys(self, records: list[Record]) -> None:
        """Look up the persons already holding these records' keys: in the batch, else in
        the graph (one query per chunk)."""
        self._keys = {}
        for rec in records:
            name = normalise.normalise_name(rec["name"])
            self._keys[id(rec)] = (
                ids.person_match_keys(self.match_key, national_id=rec["national_id"], name=name,
                                      birth_date=rec["birth_date"]),
                ids.person_block_keys(self.match_key, name=name, birth_date=rec["birth_date"]),
            )
        wanted = {k for keys, _ in self._keys.values() for k in keys}
        self._by_key = self.by_key.get(wanted)
        unknown = sorted(wanted - set(self._by_key))
        for row in _lookup(self.store, "ingest/persons_by_match_key", "keys", unknown):
            self._by_key.setdefault(row["match_key"], row["person_id"])
        self._new_ids = []

    def _remember(self) -> None:
        """Store what this chunk of person records taught: new person ids and keys."""
        self.person_ids.add(self._new_ids)
        self.by_key.add(self._by_key.items())  # keys stored already keep their person
        self.block_keys.add((k, "") for _, blocks in self._keys.values() for k in blocks)
        self._new_ids, self._by_key, self._keys = [], {}, {}

    def _person(self, case_id: str, person_ref: str) -> str:
        return self._ids[(case_id, person_ref)]

    # -- one method per file: a row of ROW_COLUMNS[file] -----------------------------------
    # An empty value is sent as null (the property is not set), as facts never store them.

    def _cases(self, rec: Record) -> dict:
        props = {k: v for k, v in rec.values.items() if v and k != "case_id"}
        return {"case_id": rec["case_id"], "props": props}

    def _persons(self, rec: Record) -> list:
        v = rec.values
        case, ref, source = v["case_id"], v["person_ref"], v["source"]
        keys, blocks = self._keys[id(rec)]
        self._resolve(rec, keys)
        return [case, self._person(case, ref),
                _rel_key("INVOLVES", f"case:{case}", ids.person_ref_key(case, ref), case, source),
                keys, blocks, ref, v["name"], v["birth_date"] or None, v["nationality"] or None,
                v["national_id"] or None, v["role"] or None, source]

    def _resolve(self, rec: Record, keys: list[str]) -> None:
        """Join a record to a person on an exact key, else give it a new person id."""
        ref = (rec["case_id"], rec["person_ref"])
        if ref not in self._ids:
            hit = next((k for k in keys if k in self._by_key), None)
            if hit is not None:
                self._ids[ref] = self._by_key[hit]
                self.joins.append({"record": ":".join(ref), "person_id": self._by_key[hit],
                                   "on": hit.split(":", 1)[0]})
            else:
                self._ids[ref] = ids.new_person_id()
            self._new_ids.append((_ref_key(*ref), self._ids[ref]))
        for k in keys:
            self._by_key.setdefault(k, self._ids[ref])

    def _phones(self, rec: Record) -> list:
        v = rec.values
        case, e164, ref, source = v["case_id"], v["number"], v["person_ref"], v["source"]
        phone = f"phone:{e164}"
        uses = person = None
        if ref:
            person = self._person(case, ref)
            uses = _rel_key("USES", ids.person_ref_key(case, ref), phone, case, source)
        return [case, e164, _rel_key("MENTIONS", f"case:{case}", phone, case, source),
                v["first_seen"] or None, v["last_seen"] or None, source, uses, person, ref or None]

    def _addresses(self, rec: Record) -> list:
        v = rec.values
        case, ref, source = v["case_id"], v["person_ref"], v["source"]
        key = _address_key(v["street"], v["postcode"], v["city"], v["country"])
        address = f"address:{key}"
        resides = person = None
        if ref:
            person = self._person(case, ref)
            resides = _rel_key("RESIDES_AT", ids.person_ref_key(case, ref), address, case, source)
        return [case, key, _rel_key("MENTIONS", f"case:{case}", address, case, source),
                v["street"], v["postcode"] or None, v["city"], v["country"], source,
                resides, person, v["kind"] or None, ref or None]

    def _hotels(self, rec: Record) -> list:
        v = rec.values
        case, source, street = v["case_id"], v["source"], v["street"]
        hkey = _hotel_key(v["hotel_name"], v["city"], v["country"])
        akey = address_mention = located = None
        if street:
            akey = _address_key(street, v["postcode"], v["city"], v["country"])
            address_mention = _rel_key("MENTIONS", f"case:{case}", f"address:{akey}", case,
                                       source)
            located = _rel_key("LOCATED_AT", f"hotel:{hkey}", f"address:{akey}", case, source)
        return [case, hkey, _rel_key("MENTIONS", f"case:{case}", f"hotel:{hkey}", case, source),
                v["hotel_name"], street or None, v["postcode"] or None, v["city"], v["country"],
                source, akey, address_mention, located]

    def _stays(self, rec: Record) -> list:
        v = rec.values
        case, ref, source = v["case_id"], v["person_ref"], v["source"]
        hkey = _hotel_key(v["hotel_name"], v["city"], v["country"])
        hotel = f"hotel:{hkey}"
        return [case, hkey, _rel_key("MENTIONS", f"case:{case}", hotel, case, source),
                v["hotel_name"], v["city"], v["country"] or None, source,
                _rel_key("STAYED_AT", ids.person_ref_key(case, ref), hotel, case, source),
                self._person(case, ref), v["check_in"], v["check_out"] or None,
                v["room"] or None, ref]

    def _calls(self, rec: Record) -> list:
        v = rec.values
        case, a, b, source = v["case_id"], v["from_number"], v["to_number"], v["source"]
        return [case, a, b, _rel_key("MENTIONS", f"case:{case}", f"phone:{a}", case, source),
                _rel_key("MENTIONS", f"case:{case}", f"phone:{b}", case, source),
                _rel_key("CALLED", f"phone:{a}", f"phone:{b}", case, source),
                v["first_call"] or None, v["last_call"] or None, v["count"] or None, source]

    def _adverts(self, rec: Record) -> list:
        v = rec.values
        case, number, source = v["case_id"], v["number"], v["source"]
        akey = normalise.advert_key(v["site"], v["advert_id"])
        advert = f"advert:{akey}"
        phone_mention = lists = None
        if number:
            phone_mention = _rel_key("MENTIONS", f"case:{case}", f"phone:{number}", case, source)
            lists = _rel_key("LISTS", advert, f"phone:{number}", case, source)
        return [case, akey, _rel_key("MENTIONS", f"case:{case}", advert, case, source),
                v["site"], v["advert_id"], v["url"] or None, v["posted"] or None,
                v["city"] or None, source, number or None, phone_mention, lists]

    def _associations(self, rec: Record) -> list:
        v = rec.values
        case, a, b, source = v["case_id"], v["person_ref_a"], v["person_ref_b"], v["source"]
        return [case, self._person(case, a), self._person(case, b),
                _rel_key("ASSOCIATED_WITH", ids.person_ref_key(case, a),
                         ids.person_ref_key(case, b), case, source),
                v["kind"], a, b, source]


_rel_key = ids.rel_key
_address_key = normalise.address_key
_hotel_key = normalise.hotel_key


def checked_chunks(survey: Survey) -> Iterator[tuple[str, list[Record]]]:
    """The checked records in load order, about 5,000 at a time: from pass one's spool, or
    by checking the files again."""
    if survey.spool is not None:
        for file_name, items in survey.spool:
            yield file_name, [Record(file_name, line, values) for line, values in items]
        return
    for path, spec in survey.files:
        records = (r for r in check_file(path, spec) if isinstance(r, Record))
        for chunk in batched(records, BATCH_SIZE):
            yield spec.name, list(chunk)


def planned_chunks(survey: Survey, planner: Planner) -> Iterator[tuple[str, int, list]]:
    """Stream the checked records in load order: (file name, records, planned rows)."""
    for file_name, records in checked_chunks(survey):
        yield file_name, len(records), planner.plan(file_name, records)


def count_facts(file_name: str, rows: list[list]) -> int:
    """How many facts the planned rows state (a fact stated twice counts twice)."""
    return sum(1 for _ in planned_facts(file_name, rows))


def write_pending(store: GraphStore, survey: Survey, planner: Planner, batch_id: str,
                  progress: Progress | None = None) -> int:
    """Write every chunk of the batch pending (invisible until the commit); return how many
    facts the files state. Returns only when every chunk is written; on any error, only
    once no write is under way any more."""
    facts = 0
    writer = ChunkWriter(store, {"batch_id": batch_id}, progress)
    try:
        for file_name, records, rows in planned_chunks(survey, planner):
            writer.put(load_query(file_name), rows, records)
            facts += count_facts(file_name, rows)
    except BaseException:
        writer.close(abandon=True)
        raise
    writer.close()
    return facts


# -- the whole load --------------------------------------------------------------------------


def load_directory(
    directory: Path,
    store: GraphStore,
    settings: Settings,
    *,
    dry_run: bool = False,
    authorise: Callable[[list[str]], None] | None = None,
    visible_cases: frozenset[str] | None = None,
    actor: str = "",
    progress: Progress | None = None,
) -> LoadResult:
    """Check ``directory`` and, when nothing is wrong, write it as one batch.

    Any problem: nothing is written and the result lists every problem found.
    ``authorise`` is called with the batch's case ids before anything is written and
    raises :class:`IngestRefused` to stop the load; ``visible_cases`` scopes the report.
    ``progress`` is told how many rows each written chunk held.
    """
    started = time.monotonic()
    malloc.steady_heap()
    tmp = settings.data_dir / "tmp"
    with Spool(tmp) as checked, Scratch(tmp) as scratch:
        survey = survey_directory(directory, store, visible_cases=visible_cases, spool=checked,
                                  scratch=scratch)
        result = LoadResult(batch_id=ids.new_batch_id(), problems=survey.problems,
                            cases=sorted(survey.cases), rows_read=survey.rows, dry_run=dry_run,
                            files=survey.manifest)
        if authorise is not None and survey.cases and not result.problems:
            authorise(result.cases)
        if result.problems:
            return result
        planner = Planner(store, settings.match_key(), scratch)
        if dry_run:
            for file_name, records, rows in planned_chunks(survey, planner):
                result.facts_in_files += count_facts(file_name, rows)
                if progress:
                    progress(records)
        else:
            _write(store, settings, survey, planner, result,
                   actor or f"operator:{operator_name()}", progress, visible_cases)
    result.joins = planner.joins
    result.seconds = round(time.monotonic() - started, 3)
    if not dry_run:
        batches.set_status(settings, result.batch_id, "complete", counts=result.counts())
    return result


def _write(store: GraphStore, settings: Settings, survey: Survey, planner: Planner,
           result: LoadResult, actor: str, progress: Progress | None,
           visible_cases: frozenset[str] | None = None) -> None:
    batch_id = result.batch_id
    # One batch at a time writes (batches.serialised): a fact this batch restates is then
    # always a committed one, never another pending batch's; dead batches are recovered first.
    with batches.serialised(settings):
        batches.recover_held(store, settings)
        before = _entity_count(store)
        with batches.holding_lock(settings, batch_id):
            # Recorded under the lock, so that recovery never mistakes it for an abandoned
            # batch.
            batches.record_start(settings, batch_id, directory=str(survey.directory),
                                 actor=actor, os_user=operator_name(), cases=result.cases,
                                 files=survey.manifest)
            try:
                result.facts_in_files = write_pending(store, survey, planner, batch_id,
                                                      progress)
                result.facts_created, touched = batches.commit(store, batch_id)
            except BaseException as exc:  # Ctrl-C too: nothing half-written stays behind
                _undo(store, settings, batch_id, exc)
                raise
            batches.set_status(settings, batch_id, "committed",
                               facts_created=result.facts_created)
            result.suggestions = resolve.suggest_for_batch(
                store, batch_id, chain.from_iterable(planner.block_keys.pages()))
            resolve.log_automatic_joins(settings, planner.joins, actor, batch_id)
        result.entities_created = _entity_count(store) - before
    result.entities_touched = touched
    result.entities_matched = max(touched - result.entities_created, 0)
    if visible_cases is not None:
        result.scoped = True
        result.suggestions = resolve.count_visible_suggestions(store, batch_id, visible_cases)


def _undo(store: GraphStore, settings: Settings, batch_id: str, exc: BaseException) -> None:
    """Remove what a failed batch wrote; if the store is down, recovery does it later."""
    error = (str(exc) or type(exc).__name__)[:500]  # Ctrl-C: 'KeyboardInterrupt', not ''
    try:
        batches.remove(store, batch_id, pending_only=True)
        if batches.committed(store, batch_id):
            # The commit ran on the server though its answer was lost: recovery finishes it.
            batches.set_status(settings, batch_id, "committed", error=error)
        else:
            batches.set_status(settings, batch_id, "rolled-back", error=error)
    except Exception:  # noqa: BLE001 - the batch stays pending; recover() removes it later
        batches.set_status(settings, batch_id, "pending", error=error)


def _entity_count(store: GraphStore) -> int:
    return sum(int(r["n"]) for r in store.read_unscoped("ingest/count_entities"))


def operator_name() -> str:
    """The operating-system account running the command, for the audit record."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"


__all__ = ["IngestRefused", "LoadResult", "Planner", "load_directory", "survey_directory"]
