// description: >-
//   Benchmark baseline (bench/ingest.py): hotels.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query, one rel_key per fact the loader writes for the row:
//   MENTIONS; with a street also the address's MENTIONS and LOCATED_AT.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
MERGE (h:Hotel {hotel_key: r.hotel})
MERGE (c)-[m:MENTIONS {rel_key: r.k0}]->(h)
ON CREATE SET m.case_id = r.case_id
WITH r, c, h
WHERE r.address IS NOT NULL
MERGE (a:Address {address_key: r.address})
MERGE (c)-[ma:MENTIONS {rel_key: r.k1}]->(a)
ON CREATE SET ma.case_id = r.case_id
MERGE (h)-[e:LOCATED_AT {rel_key: r.k2}]->(a)
ON CREATE SET e.case_id = r.case_id
