// description: >-
//   Benchmark baseline (bench/ingest.py): phones.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query, one rel_key per fact the loader writes for the row:
//   MENTIONS, and USES when a person_ref is given.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
MERGE (n:Phone {e164: r.phone})
MERGE (c)-[m:MENTIONS {rel_key: r.k0}]->(n)
ON CREATE SET m.case_id = r.case_id
WITH r, n
WHERE r.person IS NOT NULL
MERGE (p:Person {person_id: r.person})
MERGE (p)-[u:USES {rel_key: r.k1}]->(n)
ON CREATE SET u.case_id = r.case_id
