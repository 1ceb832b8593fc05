"""Rows per second of ``casegraph ingest`` beside two raw paths, on the same data in one run.

    python bench/ingest.py [--sizes 10000,100000,1000000] [--seed 1] [--keep]

For each size the CSV directory is generated once (timed apart, not part of any rate), then
loaded three ways, each into a fresh private data directory whose embedded server this
process starts (so its memory is that path's alone):

1. ``casegraph ingest DIR``, as a subprocess joining the server (empty graph + schema);
2. raw ``UNWIND $rows AS r MERGE …``, 5,000 rows a query, from the same CSV files: per row the
   case, the entities and one relationship with a ``rel_key`` per fact the loader writes,
   raw keys (not normalised), nothing else (``cypher/bench/raw_*.cypher``); only the writes
   are timed;
3. ``falkordb-bulk-insert`` (the ceiling) through the server's unix socket into a fresh graph,
   from node and relation CSV files converted from the same input (typed headers), with a
   range index on each entity key; the conversion and the load are timed apart.

Rates: *rows* are the data rows of the eight fact files (``cases.csv`` left out), the same
count for every path; *facts* are the relationships each path wrote. Memory: the peak RSS of
the loading process (the ingest subprocess, the bulk-insert subprocess) and of that path's
``redis-server``: the kernel's high-water mark ``VmHWM`` sampled every 50 ms (``psutil``'s RSS
where there is no /proc), with Redis's own ``used_memory_peak``.

Targets: the loader at least 0.5x raw UNWIND MERGE (aim: 0.5x the bulk loader); the loader's
peak RSS flat from 100k to 1M rows.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# ``python bench/ingest.py`` puts bench/ first on sys.path, where this file would shadow the
# ``ingest`` package: drop it and put the repository root there instead.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import argparse  # noqa: E402
import csv  # noqa: E402
import importlib.util  # noqa: E402
import inspect  # noqa: E402
import os  # noqa: E402
import re  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterator  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from itertools import batched  # noqa: E402

try:
    import psutil
except ImportError:  # /proc is enough on Linux
    psutil = None

from graphapp.settings import Settings  # noqa: E402
from graphapp.store import BATCH_SIZE  # noqa: E402
from graphapp.store.falkor import FalkorStore  # noqa: E402
from graphapp.store.falkor_allocator import describe  # noqa: E402
from ingest import ids  # noqa: E402
from ingest.files import FILES  # noqa: E402

MIB = 1024 * 1024
#: The benches' private servers honour CASEGRAPH_STORE_ALLOCATOR (and say what they ran on).
ALLOCATOR = Settings.from_env().store_allocator
SECRET = "b" * 40
SAMPLE_SECONDS = 0.05
BULK_GRAPH = "bench_bulk"


# -- the data --------------------------------------------------------------------------------


def write_data(directory: Path, rows: int, seed: int) -> str:
    """Write the CSV files of about ``rows`` fact rows into ``directory``; return the generator.

    ``ingest.demo.write_scenario(directory, rows=, seed=)`` (all nine files) when it takes
    ``rows``, else ``write_dataset`` of ``bench/ingest_rate.py`` (persons, phones, addresses,
    hotels).
    """
    from ingest import demo

    directory.mkdir(parents=True, exist_ok=True)
    if "rows" in inspect.signature(demo.write_scenario).parameters:
        demo.write_scenario(directory, rows=rows, seed=seed)
        return "ingest.demo.write_scenario"
    spec = importlib.util.spec_from_file_location("bench_ingest_rate", HERE / "ingest_rate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write_dataset(directory, rows, seed=seed)
    return "bench/ingest_rate.py write_dataset"


def input_files(directory: Path) -> list[Path]:
    """The directory's input files in the loader's order."""
    return [directory / name for name in FILES if (directory / name).is_file()]


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        yield from csv.DictReader(fh)


def count_rows(directory: Path) -> dict[str, int]:
    return {p.name: sum(1 for _ in read_rows(p)) for p in input_files(directory)}


# -- what a row writes, for the raw paths ----------------------------------------------------

Key = Callable[[dict[str, str]], str]


def _col(name: str) -> Key:
    return lambda row: (row.get(name) or "").strip()


def _ref(name: str) -> Key:
    """A person record's raw key, ``case_id:person_ref`` (what the loader's rel_key uses)."""
    return lambda row: f"{row['case_id']}:{row[name]}" if (row.get(name) or "").strip() else ""


def _joined(*names: str, default_last: str = "") -> Key:
    """Raw columns joined with ``|``; empty when the first is (an optional entity)."""
    def key(row: dict[str, str]) -> str:
        values = [(row.get(n) or "").strip() for n in names]
        if not values[0]:
            return ""
        values[-1] = values[-1] or default_last
        return "|".join(values)
    return key


CASE = ("Case", "case_id", _col("case_id"))
ADDRESS = ("Address", "address_key", _joined("street", "postcode", "city", "country"))
HOTEL = ("Hotel", "hotel_key", _joined("hotel_name", "city", "country", default_last="SE"))


def _person(col: str):
    return ("Person", "person_id", _ref(col))


def _phone(col: str):
    return ("Phone", "e164", _col(col))


@dataclass(frozen=True)
class Shape:
    """One input file for the raw paths: the nodes a row names, and the facts between them
    (the relationships the loader writes for such a row; a fact whose endpoint is empty is left
    out, as the loader does)."""

    query: str
    #: row field -> (label, key property, raw key from the CSV row)
    nodes: dict[str, tuple[str, str, Key]]
    #: (relationship type, start field, end field); the row's rel_key fields are k0, k1, …
    facts: tuple[tuple[str, str, str], ...] = ()


SHAPES: dict[str, Shape] = {
    "cases.csv": Shape("bench/raw_cases", {"case_id": CASE}),
    "persons.csv": Shape("bench/raw_persons", {"case_id": CASE, "person": _person("person_ref")},
                         (("INVOLVES", "case_id", "person"),)),
    "phones.csv": Shape("bench/raw_phones", {"case_id": CASE, "phone": _phone("number"),
                                             "person": _person("person_ref")},
                        (("MENTIONS", "case_id", "phone"), ("USES", "person", "phone"))),
    "addresses.csv": Shape("bench/raw_addresses", {"case_id": CASE, "address": ADDRESS,
                                                   "person": _person("person_ref")},
                           (("MENTIONS", "case_id", "address"), ("RESIDES_AT", "person", "address"))),
    "hotels.csv": Shape("bench/raw_hotels", {"case_id": CASE, "hotel": HOTEL, "address": ADDRESS},
                        (("MENTIONS", "case_id", "hotel"), ("MENTIONS", "case_id", "address"),
                         ("LOCATED_AT", "hotel", "address"))),
    "stays.csv": Shape("bench/raw_stays", {"case_id": CASE, "hotel": HOTEL,
                                           "person": _person("person_ref")},
                       (("MENTIONS", "case_id", "hotel"), ("STAYED_AT", "person", "hotel"))),
    "calls.csv": Shape("bench/raw_calls", {"case_id": CASE, "a": _phone("from_number"),
                                           "b": _phone("to_number")},
                       (("MENTIONS", "case_id", "a"), ("MENTIONS", "case_id", "b"),
                        ("CALLED", "a", "b"))),
    "adverts.csv": Shape("bench/raw_adverts", {"case_id": CASE,
                                               "advert": ("Advert", "advert_key",
                                                          _joined("site", "advert_id")),
                                               "phone": _phone("number")},
                         (("MENTIONS", "case_id", "advert"), ("MENTIONS", "case_id", "phone"),
                          ("LISTS", "advert", "phone"))),
    "associations.csv": Shape("bench/raw_associations", {"a": _person("person_ref_a"),
                                                         "b": _person("person_ref_b")},
                              (("ASSOCIATED_WITH", "a", "b"),)),
}


def raw_row(shape: Shape, row: dict[str, str]) -> dict:
    """The query row: raw node keys (None when empty), case_id, and a rel_key per fact."""
    out: dict = {"case_id": (row.get("case_id") or "").strip()}
    for name, (_label, _prop, key) in shape.nodes.items():
        out[name] = key(row) or None
    for i, (rel_type, start, end) in enumerate(shape.facts):
        out[f"k{i}"] = None
        if out[start] and out[end]:
            out[f"k{i}"] = ids.rel_key(rel_type, f"{shape.nodes[start][0]}:{out[start]}",
                                       f"{shape.nodes[end][0]}:{out[end]}", out["case_id"],
                                       row.get("source", ""))
    return out


# -- measuring -------------------------------------------------------------------------------


class PeakSampler:
    """Peak RSS of some processes, sampled every 50 ms in a thread: the kernel's high-water
    mark (``VmHWM``, exact up to the last sample) where /proc has it, else ``psutil``'s RSS."""

    def __init__(self, pids: list[int]):
        self.pids = pids
        self.peak: dict[int, int] = dict.fromkeys(pids, 0)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PeakSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            for pid in self.pids:
                self.peak[pid] = max(self.peak[pid], peak_rss(pid))
            if self._stop.wait(SAMPLE_SECONDS):
                return


def peak_rss(pid: int) -> int:
    """A running process's peak RSS so far (bytes): ``VmHWM``, else its RSS now; 0 if gone.

    Not ``ru_maxrss``: Linux carries the parent's peak across fork and exec into the child's.
    """
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    if psutil is None:
        return 0
    try:
        return psutil.Process(pid).memory_info().rss
    except psutil.Error:
        return 0


def run_child(argv: list[str], env: dict[str, str], log: Path, watch: list[int],
              timeout: float | None = None) -> tuple[int | None, float, int, dict[int, int]]:
    """Run a process to its end; return exit code (None: killed after ``timeout`` seconds),
    seconds, its peak RSS (bytes) and the peaks of the ``watch`` pids over the run."""
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
        with PeakSampler([proc.pid, *watch]) as sampler:
            try:
                code = proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                code = None
        seconds = time.perf_counter() - started
    return code, seconds, sampler.peak.pop(proc.pid), sampler.peak


@dataclass
class PathResult:
    name: str
    seconds: float
    facts: int
    nodes: int
    relationships: int
    client_rss: int | None
    redis_rss: int
    redis_used_peak: int
    detail: str = ""
    parts: dict[str, float] = field(default_factory=dict)
    #: False: stopped at the time limit; seconds is then a lower bound, rates upper bounds.
    finished: bool = True


class Server:
    """A private data directory and the embedded server this process starts in it."""

    def __init__(self, base: Path, name: str, *, schema: bool):
        self.data_dir = base / name
        self.settings = Settings.from_env({}, data_dir=self.data_dir, secret_key=SECRET,
                                          store_allocator=ALLOCATOR)
        self.store = FalkorStore(self.settings)
        if schema:
            self.store.ensure_schema()
        self.pid = self.store.server_pid
        self.socket = self.store._db.client.socket_file

    def count(self, graph: str | None = None) -> tuple[int, int]:
        """Nodes and relationships in a graph of this server."""
        if graph is None:
            return tuple(self.store.read_unscoped(f"bench/count_{what}")[0]["count"]
                         for what in ("nodes", "relationships"))
        g = self.store._db.select_graph(graph)
        return tuple(g.ro_query(self.store.query(f"bench/count_{what}").text).result_set[0][0]
                     for what in ("nodes", "relationships"))

    def memory(self, sampled: int = 0) -> tuple[int, int]:
        """Peak RSS of redis-server (kernel mark, else sampled) and its used_memory_peak."""
        used = int(self.store._db.client.info("memory")["used_memory_peak"])
        return max(peak_rss(self.pid), sampled), used

    def aof_rewrites(self) -> str:
        """Append-only-file rewrites during the run (each forks the server: FALKORDB.md), and
        the allocator the server ran on."""
        rewrites = self.store._db.client.info('persistence').get('aof_rewrites', '?')
        return f"{rewrites} AOF rewrites, server on {self.store.server_allocator or '?'}"

    def close(self) -> None:
        self.store.close()  # the last client: the server stops


# -- the three paths -------------------------------------------------------------------------

SUMMARY = re.compile(r"(\d+) rows read, (\d+) new facts")


def run_loader(csv_dir: Path, base: Path, timeout: float | None = None) -> PathResult:
    """``casegraph ingest DIR`` in a subprocess, joining the server this process started."""
    server = Server(base, "loader", schema=True)
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CASEGRAPH_")}
        env.update(CASEGRAPH_DATA_DIR=str(server.data_dir), CASEGRAPH_SECRET_KEY=SECRET,
                   PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")])))
        argv = [sys.executable, "-c", "from graphapp.cli import main; main()", "ingest", str(csv_dir)]
        log = base / "loader.log"
        code, seconds, rss, sampled = run_child(argv, env, log, [server.pid], timeout)
        output = log.read_text(errors="replace")
        if code is None:
            redis_rss, used = server.memory(sampled[server.pid])
            return PathResult("casegraph ingest", seconds, 0, 0, 0, rss, redis_rss, used,
                              detail=f"killed after {timeout:.0f} s (--loader-timeout), "
                                     f"{server.aof_rewrites()}", finished=False)
        found = SUMMARY.search(output)
        if code != 0 or not found:
            raise SystemExit(f"casegraph ingest failed ({code}):\n{output[-3000:]}")
        nodes, rels = server.count()
        redis_rss, used = server.memory(sampled[server.pid])
        in_process = re.search(r", ([\d.]+) s; cases", output)
        detail = f"load_directory {in_process.group(1)} s, " if in_process else ""
        return PathResult("casegraph ingest", seconds, int(found.group(2)), nodes, rels, rss,
                          redis_rss, used, detail=detail + server.aof_rewrites())
    finally:
        server.close()


def run_raw(csv_dir: Path, base: Path) -> PathResult:
    """One ``UNWIND $rows AS r MERGE …`` per 5,000 CSV rows; only the writes are timed."""
    server = Server(base, "raw", schema=True)
    try:
        seconds = 0.0
        facts = 0
        with PeakSampler([server.pid]) as sampler:
            for path in input_files(csv_dir):
                shape = SHAPES[path.name]
                for chunk in batched(read_rows(path), BATCH_SIZE):
                    rows = [raw_row(shape, r) for r in chunk]
                    facts += sum(1 for r in rows for i in range(len(shape.facts)) if r[f"k{i}"])
                    started = time.perf_counter()
                    server.store.load_batch(shape.query, rows)
                    seconds += time.perf_counter() - started
        nodes, rels = server.count()
        redis_rss, used = server.memory(sampler.peak[server.pid])
        return PathResult("raw UNWIND MERGE", seconds, rels, nodes, rels, None, redis_rss, used,
                          detail=f"{facts} facts sent, {server.aof_rewrites()}")
    finally:
        server.close()


def bulk_files(csv_dir: Path, out: Path) -> tuple[list[str], int]:
    """Convert the input into falkordb-bulk-insert node and relation files (typed headers,
    every node and every rel_key once); return the command's file arguments and the facts."""
    out.mkdir(parents=True, exist_ok=True)
    seen_nodes: dict[str, set[str]] = {}
    seen_facts: set[str] = set()
    writers: dict[tuple, csv.writer] = {}
    handles = []
    args: list[str] = []

    def writer(key: tuple, name: str, header: list[str], flag: str, label: str):
        if key not in writers:
            fh = (out / name).open("w", newline="", encoding="utf-8")
            handles.append(fh)
            writers[key] = csv.writer(fh)
            writers[key].writerow(header)
            args.extend([flag, label, str(out / name)])
        return writers[key]

    try:
        for path in input_files(csv_dir):
            shape = SHAPES[path.name]
            for row in read_rows(path):
                r = raw_row(shape, row)
                for name, (label, prop, _key) in shape.nodes.items():
                    value = r[name]
                    if value and value not in seen_nodes.setdefault(label, set()):
                        seen_nodes[label].add(value)
                        writer(("node", label), f"{label}.csv", [f"{prop}:ID({label})"],
                               "-N", label).writerow([value])
                for i, (rel_type, start, end) in enumerate(shape.facts):
                    rel_key = r[f"k{i}"]
                    if not rel_key or rel_key in seen_facts:
                        continue
                    seen_facts.add(rel_key)
                    a, b = shape.nodes[start][0], shape.nodes[end][0]
                    writer(("rel", rel_type, a, b), f"{rel_type}_{a}_{b}.csv",
                           [f":START_ID({a})", f":END_ID({b})", "rel_key:STRING", "case_id:STRING"],
                           "-R", rel_type).writerow([r[start], r[end], rel_key, r["case_id"]])
    finally:
        for fh in handles:
            fh.close()
    # nodes before relations, as the tool reads them in that order anyway
    pairs = [args[i:i + 3] for i in range(0, len(args), 3)]
    ordered = [a for p in sorted(pairs, key=lambda p: p[0] != "-N") for a in p]
    return ordered, len(seen_facts)


def bulk_insert_command() -> str | None:
    beside = Path(sys.executable).parent / "falkordb-bulk-insert"
    return str(beside) if beside.is_file() else shutil.which("falkordb-bulk-insert")


def run_bulk(csv_dir: Path, base: Path, command: str) -> PathResult:
    """falkordb-bulk-insert into a fresh graph through the server's unix socket."""
    server = Server(base, "bulk", schema=False)
    try:
        started = time.perf_counter()
        file_args, facts = bulk_files(csv_dir, base / "bulk-csv")
        prep = time.perf_counter() - started
        keys = sorted({(label, prop) for s in SHAPES.values() for label, prop, _ in s.nodes.values()})
        indexes = [a for label, prop in keys for a in ("-i", f"{label}:{prop}")]
        argv = [command, BULK_GRAPH, "-u", f"unix://{server.socket}", "--enforce-schema",
                *file_args, *indexes]
        log = base / "bulk.log"
        started = time.perf_counter()
        code, load, rss, sampled = run_child(argv, dict(os.environ), log, [server.pid])
        if code != 0:
            raise SystemExit(f"falkordb-bulk-insert failed ({code}):\n"
                             f"{log.read_text(errors='replace')[-3000:]}")
        _wait_indexes(server.store._db.select_graph(BULK_GRAPH))
        load = time.perf_counter() - started
        nodes, rels = server.count(BULK_GRAPH)
        redis_rss, used = server.memory(sampled[server.pid])
        return PathResult("falkordb-bulk-loader", prep + load, rels, nodes, rels, rss, redis_rss,
                          used, detail=f"{facts} facts in the files, {server.aof_rewrites()}",
                          parts={"CSV prep": prep, "load + index": load})
    finally:
        server.close()


def _wait_indexes(graph, limit: float = 600) -> None:
    deadline = time.monotonic() + limit
    while any(r[7] != "OPERATIONAL" for r in graph.ro_query("CALL db.indexes()").result_set):
        if time.monotonic() > deadline:
            raise SystemExit("bulk graph: indexes still building")
        time.sleep(0.05)


# -- report ----------------------------------------------------------------------------------


def mib(n: int | None) -> str:
    return "-" if n is None else f"{n / MIB:,.0f}"


def report(size: int, generator: str, gen_seconds: float, counts: dict[str, int],
           results: list[PathResult], took: float, load: float) -> None:
    rows = sum(n for name, n in counts.items() if name != "cases.csv")
    print(f"\n== {size:,} requested: {rows:,} fact rows in {len(counts)} files "
          f"(+{counts.get('cases.csv', 0)} cases), generated by {generator} in {gen_seconds:.1f} s; "
          f"load average {load:.1f} at the start ==")
    print(f"{'path':<22}{'seconds':>9}{'rows/s':>10}{'facts':>11}{'facts/s':>10}{'nodes':>10}"
          f"{'rels':>11}{'client MiB':>12}{'redis MiB':>11}{'used_peak':>11}")
    for r in results:
        more, less = ("", "") if r.finished else (">", "<")
        print(f"{r.name:<22}{more + format(r.seconds, '.2f'):>9}{less + format(rows / r.seconds, ',.0f'):>10}"
              f"{r.facts:>11,}{r.facts / r.seconds:>10,.0f}{r.nodes:>10,}{r.relationships:>11,}"
              f"{mib(r.client_rss):>12}{mib(r.redis_rss):>11}{mib(r.redis_used_peak):>11}")
    for r in results:
        notes = [f"{k} {v:.2f} s" for k, v in r.parts.items()] + ([r.detail] if r.detail else [])
        if notes:
            print(f"  {r.name}: {', '.join(notes)}")
    by = {r.name: r for r in results}
    loader = by.get("casegraph ingest")
    for other in ("raw UNWIND MERGE", "falkordb-bulk-loader"):
        if loader and other in by:
            bound = "" if loader.finished else "< "
            print(f"  loader / {other}: {bound}{by[other].seconds / loader.seconds:.2f}x the rate")
    print(f"  ({took:.0f} s for this size, generation included)")


def verdict(summary: dict[int, dict[str, PathResult]]) -> None:
    print("\n== targets ==")
    summary = {size: by for size, by in summary.items() if "casegraph ingest" in by}
    if not summary:
        print("the loader was not run")
        return
    for size, by in summary.items():
        loader = by["casegraph ingest"]
        raw = by.get("raw UNWIND MERGE")
        bulk = by.get("falkordb-bulk-loader")
        line = f"{size:>9,}: "
        bound = "" if loader.finished else "< "
        if raw:
            ratio = raw.seconds / loader.seconds
            ok = "holds" if ratio >= 0.5 and loader.finished else "MISSED"
            line += f"loader/raw {bound}{ratio:.2f}x ({ok}, >= 0.5x)"
        if bulk:
            ratio = bulk.seconds / loader.seconds
            ok = "holds" if ratio >= 0.5 and loader.finished else "not yet"
            line += f"; loader/bulk {bound}{ratio:.2f}x ({ok}, aim 0.5x)"
        print(line)
    sizes = sorted(summary)
    small = next((s for s in sizes if s >= 100_000), None)
    large = sizes[-1] if sizes else None
    if small and large and large > small:
        a = summary[small]["casegraph ingest"]
        b = summary[large]["casegraph ingest"]
        ratio = b.client_rss / a.client_rss
        flat = "holds" if ratio <= 1.25 else "MISSED"
        partial = "" if a.finished and b.finished else " (a load was stopped at the time limit)"
        print(f"loader peak RSS {large:,} / {small:,}: {mib(b.client_rss)} / {mib(a.client_rss)} MiB"
              f" = {ratio:.2f}x ({flat}: flat means <= 1.25x){partial}")
    else:
        print("loader memory: run with 100,000 and a larger size to compare peak RSS")


# -- main ------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="fact rows per run, comma-separated (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the CSV and data directories")
    parser.add_argument("--paths", default="loader,raw,bulk",
                        help="which paths to run (default: %(default)s)")
    parser.add_argument("--loader-timeout", type=float, default=3600,
                        help="stop a load after this many seconds (default: %(default)s)")
    args = parser.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    paths = {p.strip() for p in args.paths.split(",") if p.strip()}
    if paths - {"loader", "raw", "bulk"}:
        parser.error(f"unknown path(s) {', '.join(sorted(paths - {'loader', 'raw', 'bulk'}))}")
    command = bulk_insert_command()
    if "bulk" in paths and command is None:
        print("falkordb-bulk-insert not found (pip install falkordb-bulk-loader): bulk path skipped")
        paths.discard("bulk")

    summary: dict[int, dict[str, PathResult]] = {}
    everything = time.perf_counter()
    print(f"graph server allocator: CASEGRAPH_STORE_ALLOCATOR={ALLOCATOR}, {describe(ALLOCATOR)}")
    for size in sizes:
        started = time.perf_counter()
        load = os.getloadavg()[0]
        base = Path(tempfile.mkdtemp(prefix=f"casegraph-bench-{size}-"))
        try:
            csv_dir = base / "csv"
            t0 = time.perf_counter()
            generator = write_data(csv_dir, size, args.seed)
            gen_seconds = time.perf_counter() - t0
            counts = count_rows(csv_dir)
            results = []
            if "loader" in paths:
                results.append(run_loader(csv_dir, base, args.loader_timeout))
            if "raw" in paths:
                results.append(run_raw(csv_dir, base))
            if "bulk" in paths:
                results.append(run_bulk(csv_dir, base, command))
            summary[size] = {r.name: r for r in results}
            report(size, generator, gen_seconds, counts, results, time.perf_counter() - started, load)
        finally:
            if args.keep:
                print(f"  kept {base}")
            else:
                shutil.rmtree(base, ignore_errors=True)
        sys.stdout.flush()
    verdict(summary)
    print(f"\ntotal {time.perf_counter() - everything:.0f} s")


if __name__ == "__main__":
    main()
