// description: >-
//   Benchmark baseline (bench/ingest.py): adverts.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query, one rel_key per fact the loader writes for the row:
//   MENTIONS; with a number also the phone's MENTIONS and LISTS.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
MERGE (ad:Advert {advert_key: r.advert})
MERGE (c)-[m:MENTIONS {rel_key: r.k0}]->(ad)
ON CREATE SET m.case_id = r.case_id
WITH r, c, ad
WHERE r.phone IS NOT NULL
MERGE (n:Phone {e164: r.phone})
MERGE (c)-[mp:MENTIONS {rel_key: r.k1}]->(n)
ON CREATE SET mp.case_id = r.case_id
MERGE (ad)-[e:LISTS {rel_key: r.k2}]->(n)
ON CREATE SET e.case_id = r.case_id
