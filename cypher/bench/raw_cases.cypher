// description: >-
//   Benchmark baseline (bench/ingest.py): cases.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query; the Case nodes only (the loader writes no fact for them).
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
