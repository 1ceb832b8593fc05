"""Ingest rate and search latency, each against the raw store on the same run.

    python bench/ingest_rate.py [--rows 20000]

Prints rows/s for the full loader (read, validate, resolve, pending write, commit, derive)
and for a raw ``UNWIND … MERGE`` of the same number of facts, and their ratio; then the
median latency of a compartment-scoped phone search against the bare query.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import tempfile
import time
from pathlib import Path

from graphapp.settings import Settings
from graphapp.store.falkor import FalkorStore
from ingest import ids
from ingest.loader import load_directory


def write_dataset(directory: Path, rows: int, seed: int = 7) -> int:
    """Persons, phones, addresses and hotels over 50 cases; returns the number of fact rows."""
    rnd = random.Random(seed)
    cases = [f"K-{i:04d}" for i in range(50)]
    per_kind = rows // 4
    files = {
        "cases.csv": (["case_id", "title", "unit"], [[c, f"Case {c}", "Bench"] for c in cases]),
        "persons.csv": (["case_id", "person_ref", "name", "birth_date", "source"], []),
        "phones.csv": (["case_id", "number", "person_ref", "source"], []),
        "addresses.csv": (["case_id", "street", "postcode", "city", "country", "source"], []),
        "hotels.csv": (["case_id", "hotel_name", "city", "country", "source"], []),
    }
    for i in range(per_kind):
        case = cases[i % len(cases)]
        files["persons.csv"][1].append(
            [case, f"P{i}", f"Person {i % (per_kind // 2 or 1)}",
             f"19{50 + i % 50}-01-0{1 + i % 9}", f"S{i}"])
        files["phones.csv"][1].append(
            [case, f"070{rnd.randrange(1000000, 9999999)}", f"P{i}", f"S{i}"])
        files["addresses.csv"][1].append(
            [case, f"Storgatan {rnd.randrange(1, per_kind // 3 + 2)}", "55315", "Jönköping", "SE", f"S{i}"])
        files["hotels.csv"][1].append(
            [case, f"Hotell {rnd.randrange(1, per_kind // 10 + 2)}", "Jönköping", "SE", f"S{i}"])
    directory.mkdir(parents=True, exist_ok=True)
    for name, (header, data) in files.items():
        with (directory / name).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(header)
            writer.writerows(data)
    return per_kind * 4


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=20000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Settings.from_env({}, data_dir=Path(tmp) / "data", secret_key="b" * 40)
        store = FalkorStore(base)
        try:
            store.ensure_schema()
            n = write_dataset(Path(tmp) / "csv", args.rows)
            started = time.perf_counter()
            result = load_directory(Path(tmp) / "csv", store, base)
            loader_s = time.perf_counter() - started
            assert result.ok, result.problems[:5]

            raw = Settings.from_env({}, data_dir=Path(tmp) / "data", secret_key="b" * 40,
                                    graph_name="bench_raw")
            raw_store = FalkorStore(raw)
            raw_store.ensure_schema()
            raw_rows = [{"case_id": f"K-{i % 50:04d}", "e164": f"+46{700000000 + i}",
                         "rel_key": ids.rel_key("MENTIONS", "c", str(i), "K", "S")}
                        for i in range(result.facts_created)]
            started = time.perf_counter()
            raw_store.load_batch("bench/raw_mentions", raw_rows)
            raw_s = time.perf_counter() - started

            print(f"rows in files            {n}")
            print(f"facts written            {result.facts_created}")
            rate = result.facts_created / loader_s
            print(f"loader                   {loader_s:8.2f} s  {rate:10.0f} facts/s")
            print(f"raw UNWIND MERGE         {raw_s:8.2f} s  {len(raw_rows) / raw_s:10.0f} facts/s")
            print(f"loader / raw time        {loader_s / raw_s:8.2f}x")

            phone = store._graph.ro_query("MATCH (p:Phone) RETURN p.e164 LIMIT 1").result_set[0][0]
            allowed = [f"K-{i:04d}" for i in range(50)]
            scoped = _median_ms(lambda: store.read("views/search_phone", {"e164": phone},
                                                   allowed_cases=allowed))
            bare = _median_ms(lambda: store._graph.ro_query(
                "MATCH (n:Phone {e164: $e}) RETURN n", {"e": phone}))
            print(f"phone search, scoped     {scoped:8.2f} ms (median of 50)")
            print(f"phone lookup, bare       {bare:8.2f} ms")
            print(f"scoped / bare            {scoped / bare:8.2f}x")
            raw_store.close()
        finally:
            store.close()


def _median_ms(fn) -> float:
    times = []
    for _ in range(50):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


if __name__ == "__main__":
    main()
