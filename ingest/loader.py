"""Turn a checked directory into graph facts and write them as one batch.

Every fact is written *pending*: it carries ``pending_case`` instead of ``case_id``, so no
read (all of which filter on ``case_id IN $allowed_cases``) can see it. One query then commits
the batch by moving ``pending_case`` to ``case_id``; ``case_ids`` (and a person's
``match_keys``) are derived from the committed facts afterwards. Nodes carry only keys and
derived indexes, so a batch that never commits leaves nothing anyone can see, and removing it
never has to restore a property.
"""

from __future__ import annotations

import getpass
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from filelock import FileLock

from graphapp.settings import Settings
from graphapp.store import BATCH_SIZE, GraphStore
from ingest import ids, normalise
from ingest.files import FILES
from ingest.readers import Batch, Problem, Record, read_directory

#: query name -> (label of the touched end node, row field holding its key)
#: Columns that point at a case's person, by file.
PERSON_REF_COLUMNS = {
    "phones.csv": ("person_ref",),
    "addresses.csv": ("person_ref",),
    "stays.csv": ("person_ref",),
    "associations.csv": ("person_ref_a", "person_ref_b"),
}

#: In write order: a query's endpoints are created by the ones before it.
FACT_QUERIES = (
    "involves",
    "mentions_phone",
    "mentions_address",
    "mentions_hotel",
    "mentions_advert",
    "uses",
    "resides_at",
    "located_at",
    "stayed_at",
    "called",
    "lists",
    "associated_with",
)
DERIVE_QUERIES = {
    "Person": "derive_person",
    "Phone": "derive_phone",
    "Address": "derive_address",
    "Hotel": "derive_hotel",
    "Advert": "derive_advert",
}


@dataclass
class Plan:
    """What a batch will write: rows per ingest query, and the nodes whose indexes it changes."""

    batch_id: str
    cases: list[dict] = field(default_factory=list)
    facts: dict[str, list[dict]] = field(default_factory=lambda: defaultdict(list))
    touched: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    problems: list[Problem] = field(default_factory=list)
    #: records that joined an existing or another new record's person, for the audit log
    joins: list[dict] = field(default_factory=list)

    def fact_count(self) -> int:
        return sum(len(rows) for rows in self.facts.values())


@dataclass
class LoadResult:
    batch_id: str
    problems: list[Problem]
    cases: list[str] = field(default_factory=list)
    facts_in_files: int = 0
    facts_created: int = 0
    dry_run: bool = False
    joins: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class Planner:
    """Resolve a checked batch against the store into rows for the ingest queries."""

    def __init__(self, batch: Batch, store: GraphStore, match_key: bytes):
        self.batch = batch
        self.store = store
        self.match_key = match_key
        self.plan = Plan(batch_id=ids.new_batch_id())
        self.known_cases: set[str] = set()
        #: (case_id, person_ref) -> person_id
        self.person_ids: dict[tuple[str, str], str] = {}
        self.seen_rel_keys: set[str] = set()

    def build(self) -> Plan:
        self._cases()
        self._persons()
        self._phones()
        self._addresses()
        self._hotels()
        self._stays()
        self._calls()
        self._adverts()
        self._associations()
        return self.plan

    # -- helpers -------------------------------------------------------------------------

    def _problem(self, file: str, line: int, column: str, reason: str) -> None:
        self.plan.problems.append(Problem(file, line, column, reason))

    def _case_ok(self, rec: Record) -> bool:
        if rec["case_id"] in self.known_cases:
            return True
        if ("case", rec["case_id"]) in self.batch.rejected_keys:
            return False
        self._problem(rec.file, rec.line, "case_id",
                      f"case {rec['case_id']} is neither in cases.csv nor already loaded")
        return False

    def _person_id(self, rec: Record, column: str = "person_ref") -> str | None:
        ref = rec[column]
        pid = self.person_ids.get((rec["case_id"], ref))
        if pid is None and ("person", rec["case_id"], ref) not in self.batch.rejected_keys:
            self._problem(rec.file, rec.line, column,
                          f"person_ref {ref} is not a person of case {rec['case_id']}")
        return pid

    def _fact(self, query: str, rel_type: str, start_key: str, end_key: str, rec: Record,
              props: dict, **extra) -> None:
        key = ids.rel_key(rel_type, start_key, end_key, rec["case_id"], rec["source"])
        if key in self.seen_rel_keys:
            return  # the same fact stated twice in one batch (e.g. a hotel in hotels and stays)
        self.seen_rel_keys.add(key)
        props = {k: v for k, v in props.items() if v not in ("", None)}
        props["source"] = rec["source"]
        self.plan.facts[query].append(
            {"case_id": rec["case_id"], "rel_key": key, "props": props, **extra})

    def _mention(self, query: str, label: str, key: str, rec: Record, props: dict) -> None:
        self._fact(query, "MENTIONS", f"case:{rec['case_id']}", f"{label.lower()}:{key}", rec,
                   props, key=key)
        self.plan.touched[label].add(key)

    # -- files ---------------------------------------------------------------------------

    def _cases(self) -> None:
        rows = self.batch.rows("cases.csv")
        for rec in rows:
            props = {k: v for k, v in rec.values.items() if v and k != "case_id"}
            self.plan.cases.append({"case_id": rec["case_id"], "props": props})
        wanted = {r["case_id"] for recs in self.batch.records.values() for r in recs}
        existing = self.store.read_unscoped("ingest/existing_cases",
                                            {"case_ids": sorted(wanted)})
        self.known_cases = {r["case_id"] for r in existing} | {r["case_id"] for r in rows}

    def _persons(self) -> None:
        recs = [r for r in self.batch.rows("persons.csv") if self._case_ok(r)]
        refs = {(r["case_id"], r[c]) for name, cols in PERSON_REF_COLUMNS.items()
                for r in self.batch.rows(name) for c in cols if r[c]}
        refs |= {(r["case_id"], r["person_ref"]) for r in recs}
        rows = self.store.read_unscoped(
            "ingest/existing_person_refs",
            {"refs": [{"case_id": c, "person_ref": p} for c, p in sorted(refs)]},
        )
        self.person_ids = {(r["case_id"], r["person_ref"]): r["person_id"] for r in rows}
        keys_of = {
            id(rec): ids.person_match_keys(
                self.match_key,
                national_id=rec["national_id"],
                name=normalise.normalise_name(rec["name"]),
                birth_date=rec["birth_date"],
            )
            for rec in recs
        }
        all_keys = sorted({k for ks in keys_of.values() for k in ks})
        by_key = {r["match_key"]: r["person_id"]
                  for r in self.store.read_unscoped("ingest/persons_by_match_key",
                                                    {"keys": all_keys})}
        for rec in recs:
            self._resolve(rec, keys_of[id(rec)], by_key)
            pid = self.person_ids[(rec["case_id"], rec["person_ref"])]
            props = {c: rec[c] for c in ("person_ref", "name", "birth_date", "nationality",
                                         "national_id", "role")}
            self._fact("involves", "INVOLVES", f"case:{rec['case_id']}",
                       ids.person_ref_key(rec["case_id"], rec["person_ref"]), rec, props,
                       person_id=pid, match_keys=keys_of[id(rec)])
            self.plan.touched["Person"].add(pid)

    def _resolve(self, rec: Record, keys: list[str], by_key: dict[str, str]) -> None:
        """Join a record to a person on an exact key, else give it a new person id."""
        ref = (rec["case_id"], rec["person_ref"])
        if ref in self.person_ids:
            pid = self.person_ids[ref]
        else:
            hit = next((k for k in keys if k in by_key), None)
            if hit is not None:
                pid = by_key[hit]
                self.plan.joins.append({"record": ":".join(ref), "person_id": pid,
                                        "on": hit.split(":", 1)[0]})
            else:
                pid = ids.new_person_id()
            self.person_ids[ref] = pid
        for k in keys:
            by_key.setdefault(k, pid)

    def _phones(self) -> None:
        for rec in self.batch.rows("phones.csv"):
            if not self._case_ok(rec):
                continue
            e164 = rec["number"]
            props = {"first_seen": rec["first_seen"], "last_seen": rec["last_seen"]}
            pid = self._person_id(rec) if rec["person_ref"] else None
            if rec["person_ref"] and pid is None:
                continue
            self._mention("mentions_phone", "Phone", e164, rec, props)
            if pid:
                self._fact("uses", "USES", ids.person_ref_key(rec["case_id"], rec["person_ref"]),
                           f"phone:{e164}", rec, {**props, "person_ref": rec["person_ref"]},
                           key=e164, person_id=pid)

    def _address_props(self, rec: Record) -> tuple[str, dict]:
        key = normalise.address_key(rec["street"], rec["postcode"], rec["city"], rec["country"])
        props = {c: rec[c] for c in ("street", "postcode", "city", "country")}
        return key, props

    def _addresses(self) -> None:
        for rec in self.batch.rows("addresses.csv"):
            if not self._case_ok(rec):
                continue
            pid = self._person_id(rec) if rec["person_ref"] else None
            if rec["person_ref"] and pid is None:
                continue
            key, props = self._address_props(rec)
            self._mention("mentions_address", "Address", key, rec, props)
            if pid:
                self._fact("resides_at", "RESIDES_AT",
                           ids.person_ref_key(rec["case_id"], rec["person_ref"]),
                           f"address:{key}", rec,
                           {"kind": rec["kind"], "person_ref": rec["person_ref"]},
                           key=key, person_id=pid)

    def _hotels(self) -> None:
        for rec in self.batch.rows("hotels.csv"):
            if not self._case_ok(rec):
                continue
            hkey = self._hotel(rec)
            if rec["street"]:
                akey, aprops = self._address_props(rec)
                self._mention("mentions_address", "Address", akey, rec, aprops)
                self._fact("located_at", "LOCATED_AT", f"hotel:{hkey}", f"address:{akey}", rec,
                           {}, key=akey, hotel_key=hkey)


    def _hotel(self, rec: Record, name_col: str = "hotel_name") -> str:
        hkey = normalise.hotel_key(rec[name_col], rec["city"], rec["country"])
        props = {"hotel_name": rec[name_col], "city": rec["city"], "country": rec["country"]}
        for col in ("street", "postcode"):
            if rec[col]:
                props[col] = rec[col]
        self._mention("mentions_hotel", "Hotel", hkey, rec, props)
        return hkey

    def _stays(self) -> None:
        for rec in self.batch.rows("stays.csv"):
            if not self._case_ok(rec):
                continue
            pid = self._person_id(rec)
            if pid is None:
                continue
            hkey = self._hotel(rec)
            self._fact("stayed_at", "STAYED_AT",
                       ids.person_ref_key(rec["case_id"], rec["person_ref"]), f"hotel:{hkey}", rec,
                       {c: rec[c] for c in ("check_in", "check_out", "room", "person_ref")},
                       key=hkey, person_id=pid)

    def _calls(self) -> None:
        for rec in self.batch.rows("calls.csv"):
            if not self._case_ok(rec):
                continue
            a, b = rec["from_number"], rec["to_number"]
            self._mention("mentions_phone", "Phone", a, rec, {})
            self._mention("mentions_phone", "Phone", b, rec, {})
            self._fact("called", "CALLED", f"phone:{a}", f"phone:{b}", rec,
                       {c: rec[c] for c in ("first_call", "last_call", "count")},
                       key=b, from_key=a)

    def _adverts(self) -> None:
        for rec in self.batch.rows("adverts.csv"):
            if not self._case_ok(rec):
                continue
            try:
                akey = normalise.advert_key(rec["site"], rec["advert_id"])
            except normalise.NormaliseError as exc:
                self._problem(rec.file, rec.line, "site", str(exc))
                continue
            props = {c: rec[c] for c in ("site", "advert_id", "url", "posted", "city")}
            self._mention("mentions_advert", "Advert", akey, rec, props)
            if rec["number"]:
                self._mention("mentions_phone", "Phone", rec["number"], rec, {"posted": rec["posted"]})
                self._fact("lists", "LISTS", f"advert:{akey}", f"phone:{rec['number']}", rec,
                           {"posted": rec["posted"]}, key=rec["number"], advert_key=akey)

    def _associations(self) -> None:
        for rec in self.batch.rows("associations.csv"):
            if not self._case_ok(rec):
                continue
            a = self._person_id(rec, "person_ref_a")
            b = self._person_id(rec, "person_ref_b")
            if a is None or b is None:
                continue
            self._fact("associated_with", "ASSOCIATED_WITH",
                       ids.person_ref_key(rec["case_id"], rec["person_ref_a"]),
                       ids.person_ref_key(rec["case_id"], rec["person_ref_b"]), rec,
                       {c: rec[c] for c in ("kind", "person_ref_a", "person_ref_b")},
                       person_id=a, other_person_id=b)


class IngestRefused(Exception):
    """The acting user may not load into some of the batch's cases; nothing was written."""

    def __init__(self, message: str, cases: list[str]):
        super().__init__(message)
        self.cases = cases


def plan_directory(directory: Path, store: GraphStore, settings: Settings) -> tuple[Batch, Plan]:
    """Read and check ``directory``, then resolve it against the store (even when reading
    found problems, so that every problem is reported in one run)."""
    batch = read_directory(directory)
    return batch, Planner(batch, store, settings.match_key()).build()


def load_directory(
    directory: Path,
    store: GraphStore,
    settings: Settings,
    *,
    dry_run: bool = False,
    authorise: Callable[[list[str]], None] | None = None,
) -> LoadResult:
    """Check ``directory`` and, when nothing is wrong, write it as one batch.

    Any problem: nothing is written and the result lists every problem found.
    ``authorise`` is called with the batch's case ids before anything is written and
    raises :class:`IngestRefused` to stop the load.
    """
    batch, plan = plan_directory(directory, store, settings)
    problems = batch.problems + plan.problems
    result = LoadResult(
        batch_id=plan.batch_id,
        problems=problems,
        cases=sorted({r["case_id"] for recs in batch.records.values() for r in recs}),
        facts_in_files=plan.fact_count(),
        dry_run=dry_run,
        joins=plan.joins,
    )
    if authorise is not None and not problems:
        authorise(result.cases)
    if problems or dry_run:
        return result
    result.facts_created = write_plan(plan, store, settings)
    return result


def write_plan(plan: Plan, store: GraphStore, settings: Settings) -> int:
    """Write the plan pending, commit it in one query, then derive the touched indexes."""
    settings.lock_dir.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(settings.lock_dir / f"batch-{plan.batch_id}.lock"))
    with lock:
        params = {"batch_id": plan.batch_id}
        store.load_batch("ingest/merge_cases", plan.cases, params)
        for name in FACT_QUERIES:
            store.load_batch(f"ingest/{name}", plan.facts.get(name, []), params)
        committed = store.write("ingest/commit_batch", params)[0]["committed"]
        derive_indexes(store, plan.touched)
    return int(committed)


def derive_indexes(store: GraphStore, touched: dict[str, set[str]]) -> None:
    """Recompute ``case_ids`` (and persons' ``match_keys``) of the given nodes from their facts."""
    for label, keys in touched.items():
        ordered = sorted(keys)
        for start in range(0, len(ordered), BATCH_SIZE):
            store.write(f"ingest/{DERIVE_QUERIES[label]}", {"keys": ordered[start:start + BATCH_SIZE]})


def operator_name() -> str:
    """The operating-system account running the command, for the audit record."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001
        return "unknown"


__all__ = ["FILES", "IngestRefused", "LoadResult", "Plan", "load_directory", "plan_directory", "write_plan"]
