// description: >-
//   Benchmark baseline (bench/ingest.py): associations.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query, one rel_key per fact the loader writes for the row:
//   ASSOCIATED_WITH.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (a:Person {person_id: r.a})
MERGE (b:Person {person_id: r.b})
MERGE (a)-[e:ASSOCIATED_WITH {rel_key: r.k0}]->(b)
ON CREATE SET e.case_id = r.case_id
