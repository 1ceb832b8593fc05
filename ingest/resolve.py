"""Person resolution beyond exact keys: merge suggestions, and the merges and splits that
review confirms (DESIGN.md section 3, "Resolution").

Near matches (transliteration, accents, swapped name order, typos) are searched only within
blocking keys, scored with ``rapidfuzz`` and recorded as ``MAYBE_SAME_AS`` suggestions with
their evidence; they are never merged automatically. A merge moves every fact of one person
node onto the other (a fact's ``rel_key`` names the case's record, not the node, so it does
not change); a split moves one case record and the facts it stated onto a node of its own.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from itertools import batched, islice

import numpy as np
from rapidfuzz import fuzz, process

from graphapp.access import Actor, visible_case_ids, writable_case_ids
from graphapp.db import PersonJoin, session_scope
from graphapp.settings import Settings
from graphapp.store import BATCH_SIZE, GraphStore
from ingest import batches, ids, normalise
from ingest.chunks import ChunkWriter

#: Candidate rows to fetch a query, about (the keys a query asks for follow from it).
CANDIDATE_ROWS = 10_000
#: Keys of the first candidate query, before the group sizes are known.
FIRST_KEYS = 500
#: Joins a candidate row's values in one text (checked values never hold it: it is
#: whitespace to ``str.split``), and the values in the order the query joins them.
CANDIDATE_SEP = "\x1f"
CANDIDATE_FIELDS = ("person_id", "case_id", "person_ref", "name", "birth_date", "batch_id",
                    "block_key")
#: Name scores held at once while one blocking key's group is compared (float64: 8 MB).
SCORE_CELLS = 1_000_000
#: Suggestions written a query (each carries its evidence: a few hundred bytes of text).
SUGGESTIONS_A_QUERY = 2_500
#: Lowest name similarity (0–100, token order ignored) worth a reviewer's time.
MIN_SCORE = 85


class ResolveError(Exception):
    """A merge or split that cannot be done; the message says why."""


def suggest_for_batch(store: GraphStore, batch_id: str, keys: Iterable[str] | None = None) -> int:
    """Compare the batch's new person records with every committed record sharing a
    blocking key; record a suggestion for each likely pair of different persons. Returns how
    many the batch made.

    ``keys``: the blocking keys of the batch's records, each once (the loader streams them
    from disk; a key of a record the batch did not bring only costs a lookup); without them
    they are read from the graph at once (recovery). Each key's group is fetched and
    compared once, as many keys a query as make about ``CANDIDATE_ROWS`` rows: groups grow
    with the graph, so a fixed number of keys would not keep memory flat.
    """
    if keys is None:
        keys = [r["block_key"] for r in store.read_unscoped("resolve/batch_block_keys",
                                                             {"batch_id": batch_id})]
    names = _NameCache()
    keys = iter(keys)
    # The store works while Python scores: the next keys' candidates are fetched, and the
    # suggestions written (in order), while this chunk's groups are compared. At most two
    # chunks of candidates (of about CANDIDATE_ROWS rows: a larger one, such as the first
    # query's on a large graph, is compared before the next is fetched) and two writes of
    # SUGGESTIONS_A_QUERY suggestions (one sent, one waiting) are held.
    fetcher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="ingest-candidates")
    writer = ChunkWriter(store, {"batch_id": batch_id}, depth=1)
    try:
        chunk = list(islice(keys, FIRST_KEYS))
        fetching = fetcher.submit(_candidates, store, chunk) if chunk else None
        while fetching is not None:
            rows = fetching.result()
            take = max(1, min(BATCH_SIZE, len(chunk) * CANDIDATE_ROWS // max(len(rows), 1)))
            chunk = list(islice(keys, take))
            ahead = len(rows) <= 2 * CANDIDATE_ROWS
            fetching = fetcher.submit(_candidates, store, chunk) if chunk and ahead else None
            groups: dict[str, list[dict]] = defaultdict(list)
            for row in rows:
                candidate = dict(zip(CANDIDATE_FIELDS, row["candidate"].split(CANDIDATE_SEP),
                                     strict=True))
                groups[candidate["block_key"]].append(candidate)
            del rows
            found = {}
            for group in groups.values():
                for row in _group_suggestions(group, batch_id, names):
                    found.setdefault(row["rel_key"], row)
            del groups
            for part in batched(found.values(), SUGGESTIONS_A_QUERY):
                writer.put("resolve/suggest", [_suggestion_row(r) for r in part], len(part))
            found = part = None  # held no longer than the writer holds them
            if chunk and not ahead:
                fetching = fetcher.submit(_candidates, store, chunk)
    except BaseException:
        fetcher.shutdown(wait=True, cancel_futures=True)
        writer.close(abandon=True)
        raise
    fetcher.shutdown(wait=True)
    writer.close()
    return int(store.read_unscoped("resolve/count_suggestions", {"batch_id": batch_id})[0]["n"])


#: The columns of a row of ``resolve/suggest``, in order: a list encodes many times faster
#: than a map, and an evidence's quotes no longer send it to the client's own encoder.
SUGGESTION_COLUMNS = ("a", "b", "rel_key", "case_id", "other_case_id", "score", "evidence",
                      "source")


def _suggestion_row(suggestion: dict) -> list:
    """A suggestion (see :func:`_suggestion`) as a row of ``resolve/suggest``."""
    props = suggestion["props"]
    return [suggestion["a"], suggestion["b"], suggestion["rel_key"], suggestion["case_id"],
            suggestion["other_case_id"], props["score"], props["evidence"], props["source"]]


def _candidates(store: GraphStore, keys: list[str]) -> list[dict]:
    """The committed person records holding one of ``keys``, one text a row."""
    return store.read_unscoped("resolve/candidates", {"keys": keys, "sep": CANDIDATE_SEP})


def count_visible_suggestions(store: GraphStore, batch_id: str, visible: frozenset[str]) -> int:
    """How many of the batch's suggestions pair two records of cases in ``visible``."""
    rows = store.read("resolve/count_visible_suggestions", {"batch_id": batch_id},
                      allowed_cases=visible)
    return int(rows[0]["n"]) if rows else 0


class _NameCache(dict):
    """Normalised names, each computed once per search."""

    def __missing__(self, name: str) -> str:
        value = self[name] = normalise.normalise_name(name)
        if len(self) > 20_000:  # bounded: flat memory
            self.clear()
        return value


def _group_suggestions(group: list[dict], batch_id: str, names: _NameCache) -> Iterator[dict]:
    """The suggestions among one blocking key's records: each of the batch's records against
    every other record of the group (a pair of two of the batch's records once, not twice),
    in the order of a loop over the pairs.

    The names are scored by ``rapidfuzz.process.cdist`` a slice of the batch's records at a
    time (a loop in C; a group grows with the graph, and the pairs with its square), at most
    about ``SCORE_CELLS`` scores held at once; only pairs scoring ``MIN_SCORE`` or more are
    looked at in Python. The scores are those of ``fuzz.token_sort_ratio``, in double
    precision, as each pair alone would score.
    """
    mine = [i for i, row in enumerate(group) if row["batch_id"] == batch_id]
    if not mine:
        return
    texts = [names[row["name"]] for row in group]
    step = max(1, SCORE_CELLS // len(group))
    for start in range(0, len(mine), step):
        rows = mine[start:start + step]
        scores = process.cdist([texts[i] for i in rows], texts, scorer=fuzz.token_sort_ratio,
                               processor=None, score_cutoff=MIN_SCORE, dtype=np.float64)
        for r, j in zip(*np.nonzero(scores), strict=True):
            i = rows[r]
            a, b = group[i], group[j]
            # a pair of two of the batch's records is compared once, not twice
            if i == j or (b["batch_id"] == batch_id and j < i):
                continue
            row = _suggestion(a, b, float(scores[r, j]))
            if row is not None:
                yield row


def _suggestion(a: dict, b: dict, score: float) -> dict | None:
    """The suggestion for two records whose names scored ``score`` (at least MIN_SCORE), or
    None when they are one person already or their birth dates differ."""
    if a["person_id"] == b["person_id"]:
        return None
    born = _birth_dates(a["birth_date"], b["birth_date"])
    if born is None:
        return None
    # One suggestion per pair of records, whichever batch found it first.
    first, second = sorted((a, b), key=lambda r: (r["case_id"], r["person_ref"]))
    evidence = {
        "names": [first["name"], second["name"]],
        "name_score": round(score, 1),
        "birth_date": born,
        "records": [f"{r['case_id']}:{r['person_ref']}" for r in (first, second)],
    }
    return {
        "a": first["person_id"], "b": second["person_id"],
        "case_id": first["case_id"], "other_case_id": second["case_id"],
        "rel_key": ids.rel_key("MAYBE_SAME_AS", ids.person_ref_key(first["case_id"], first["person_ref"]),
                               ids.person_ref_key(second["case_id"], second["person_ref"]),
                               first["case_id"], "resolver"),
        "props": {"score": round(score, 1), "evidence": json.dumps(evidence, ensure_ascii=False),
                  "source": "resolver"},
    }


def _birth_dates(a: str | None, b: str | None) -> str | None:
    """How two records' birth dates compare, as evidence for a suggestion, or None when they
    rule one out. Day and month swapped (1982-10-05 and 1982-05-10) is a common slip between
    date orders, not a different date."""
    if not a or not b:
        return "one missing" if a or b else "both missing"
    a, b = a[:10], b[:10]
    if a == b:
        return "same"
    if a[:5] == b[:5] and a[5:7] == b[8:10] and a[8:10] == b[5:7]:
        return "day and month swapped"
    return None


def suggestions(store: GraphStore, actor: Actor, limit: int = 200) -> list[dict]:
    """Suggestions whose two records the actor may both see."""
    rows = store.read("persons/suggestions", {"row_limit": limit},
                      allowed_cases=visible_case_ids(actor))
    out = []
    for row in rows:
        if row["s"] is None or row["a"] is None or row["b"] is None:
            continue
        props = row["s"].properties
        out.append({"a": row["a"].key, "b": row["b"].key, "score": props.get("score"),
                    "case_id": props.get("case_id"), "other_case_id": props.get("other_case_id"),
                    "evidence": json.loads(props.get("evidence") or "{}")})
    return out


def _records(store: GraphStore, actor: Actor, person_ids: list[str]) -> dict[str, list[tuple]]:
    rows = store.read("persons/records", {"person_ids": person_ids},
                      allowed_cases=visible_case_ids(actor))
    found: dict[str, list[tuple]] = defaultdict(list)
    for row in rows:
        if row["record"] is not None and row["person"] is not None:
            rec = row["record"]
            found[row["person"].key].append((rec.case_id, rec.properties.get("person_ref")))
    return found


def merge(store: GraphStore, settings: Settings, actor: Actor, into: str, other: str) -> dict:
    """Merge person ``other`` into ``into``: the actor needs edit rights on a visible record
    of each. Recorded in the join log (every record moved); returns what moved of the
    actor's visible cases."""
    if into == other:
        raise ResolveError("cannot merge a person with itself")
    records = _records(store, actor, [into, other])
    writable = writable_case_ids(actor)
    for pid in (into, other):
        if not any(case in writable for case, _ in records.get(pid, [])):
            raise ResolveError(f"no person {pid} with a record you may edit")
    moved_records = _all_records(store, other)
    visible = visible_case_ids(actor)
    results = store.write_each("persons/merge", {"into": into, "from": other,
                                                 "visible_cases": sorted(visible)})
    # Not the dropped suggestions or node; and only what the actor may see: the merge moves
    # every record, a covert case's too, and says nothing of those.
    moved = sum(rows[0]["moved"] for rows in results[1:-1])
    _rederive(store, [into])
    _log(settings, kind="merge", into=into, other=other,
         records=[f"{c}:{r}" for c, r in moved_records], actor=actor.name)
    return {"into": into, "from": other, "facts_moved": moved,
            "records": [f"{c}:{r}" for c, r in moved_records if c in visible]}


def split(store: GraphStore, settings: Settings, actor: Actor, person_id: str, record: str) -> dict:
    """Move one case record (``CASE_ID:PERSON_REF``) and its facts to a new person, with the
    merge suggestions made for it (persons/split)."""
    case_id, sep, person_ref = record.partition(":")
    if not sep or not person_ref:
        raise ResolveError("a record is CASE_ID:PERSON_REF")
    if case_id not in writable_case_ids(actor):
        raise ResolveError(f"you have no edit rights on {case_id}")
    mine = _records(store, actor, [person_id]).get(person_id, [])
    if (case_id, person_ref) not in mine:
        raise ResolveError(f"person {person_id} has no record {record} you may see")
    # Counted over the records the actor may see, not all of them: whether a split is refused
    # must not tell a member of one case that another (a covert one) holds this person too.
    if len(mine) < 2:
        raise ResolveError(f"{record} is the only record of {person_id} you may see: "
                           "nothing to split")
    new_id = ids.new_person_id()
    # The record's merge suggestions move with it (found by their evidence, which names the
    # record as _suggestion writes it); they are not facts, so not counted as moved.
    moved = sum(rows[0].get("moved", 0) for rows in store.write_each(
        "persons/split", {"into": new_id, "from": person_id, "case_id": case_id,
                          "person_ref": person_ref,
                          "record_json": json.dumps(ids.person_ref_key(case_id, person_ref),
                                                    ensure_ascii=False)}))
    _rederive(store, [person_id, new_id])
    _log(settings, kind="split", into=new_id, other=person_id, records=[record], actor=actor.name)
    return {"person_id": new_id, "from": person_id, "record": record, "facts_moved": moved - 1}


def _all_records(store: GraphStore, person_id: str) -> list[tuple[str, str]]:
    return [(r["case_id"], r["person_ref"])
            for r in store.read_unscoped("persons/all_records", {"person_id": person_id})]


def _rederive(store: GraphStore, person_ids: list[str]) -> None:
    nids = [int(r["nid"]) for r in store.read_unscoped("persons/node_ids",
                                                       {"person_ids": person_ids})]
    batches.derive(store, nids)


def _log(settings: Settings, *, kind: str, into: str, other: str, records: list[str],
         actor: str, rule: str = "", batch_id: str = "") -> None:
    with session_scope(settings) as s:
        s.add(PersonJoin(kind=kind, into_person=into, from_person=other, records=records,
                         actor=actor, rule=rule, batch_id=batch_id))


def log_automatic_joins(settings: Settings, joins: list[dict], actor: str, batch_id: str) -> None:
    """Record the batch's automatic joins (exact national id, or name + birth date), in one
    transaction, sent a thousand at a time so that the session never holds them all."""
    with session_scope(settings) as s:
        for chunk in batched(joins, 1_000):
            s.add_all(PersonJoin(kind="auto", into_person=join["person_id"],
                                 records=[join["record"]], rule=join["on"], actor=actor,
                                 batch_id=batch_id) for join in chunk)
            s.flush()
            s.expunge_all()
