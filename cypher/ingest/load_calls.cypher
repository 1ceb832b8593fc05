// description: >-
//   calls.csv: the case MENTIONS both phones, and the calling phone CALLED the other.
//   Written pending (pending_case instead of case_id) under the batch's id; each fact
//   slot of a row is a map {k: rel_key, p: properties}, null when the row states no such fact.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (c:Case {case_id: r.case_id})
MERGE (a:Phone {e164: r.from_phone})
ON CREATE SET a.case_ids = []
MERGE (b:Phone {e164: r.to_phone})
ON CREATE SET b.case_ids = []
MERGE (c)-[ma:MENTIONS {rel_key: r.from_mention.k}]->(a)
ON CREATE SET ma += r.from_mention.p, ma.pending_case = r.case_id, ma.batch_id = $batch_id
MERGE (c)-[mb:MENTIONS {rel_key: r.to_mention.k}]->(b)
ON CREATE SET mb += r.to_mention.p, mb.pending_case = r.case_id, mb.batch_id = $batch_id
MERGE (a)-[e:CALLED {rel_key: r.called.k}]->(b)
ON CREATE SET e += r.called.p, e.pending_case = r.case_id, e.batch_id = $batch_id
