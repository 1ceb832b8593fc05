// description: >-
//   Benchmark baseline (bench/ingest.py): addresses.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query, one rel_key per fact the loader writes for the row:
//   MENTIONS, and RESIDES_AT when a person_ref is given.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
MERGE (a:Address {address_key: r.address})
MERGE (c)-[m:MENTIONS {rel_key: r.k0}]->(a)
ON CREATE SET m.case_id = r.case_id
WITH r, a
WHERE r.person IS NOT NULL
MERGE (p:Person {person_id: r.person})
MERGE (p)-[e:RESIDES_AT {rel_key: r.k1}]->(a)
ON CREATE SET e.case_id = r.case_id
