// description: >-
//   Benchmark baseline (bench/ingest.py): calls.csv rows as plain MERGEs on raw keys,
//   5,000 rows a query, one rel_key per fact the loader writes for the row:
//   both phones' MENTIONS and CALLED.
// params:
//   rows: list<map>
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
MERGE (a:Phone {e164: r.a})
MERGE (b:Phone {e164: r.b})
MERGE (c)-[ma:MENTIONS {rel_key: r.k0}]->(a)
ON CREATE SET ma.case_id = r.case_id
MERGE (c)-[mb:MENTIONS {rel_key: r.k1}]->(b)
ON CREATE SET mb.case_id = r.case_id
MERGE (a)-[e:CALLED {rel_key: r.k2}]->(b)
ON CREATE SET e.case_id = r.case_id
