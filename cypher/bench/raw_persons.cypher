// description: >-
//   Benchmark baseline (bench/ingest.py): persons.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query, one rel_key per fact the loader writes for the row:
//   INVOLVES.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
MERGE (p:Person {person_id: r.person})
MERGE (c)-[e:INVOLVES {rel_key: r.k0}]->(p)
ON CREATE SET e.case_id = r.case_id
