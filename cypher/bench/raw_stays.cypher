// description: >-
//   Benchmark baseline (bench/ingest.py): stays.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query, one rel_key per fact the loader writes for the row:
//   the hotel's MENTIONS and STAYED_AT.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
MERGE (h:Hotel {hotel_key: r.hotel})
MERGE (c)-[m:MENTIONS {rel_key: r.k0}]->(h)
ON CREATE SET m.case_id = r.case_id
MERGE (p:Person {person_id: r.person})
MERGE (p)-[e:STAYED_AT {rel_key: r.k1}]->(h)
ON CREATE SET e.case_id = r.case_id
