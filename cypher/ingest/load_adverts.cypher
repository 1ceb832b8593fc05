// description: >-
//   adverts.csv: the case MENTIONS the advert; with a number, also the phone, which the advert LISTS.
//   Written pending (pending_case instead of case_id) under the batch's id; each fact
//   slot of a row is a map {k: rel_key, p: properties}, null when the row states no such fact.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (c:Case {case_id: r.case_id})
MERGE (a:Advert {advert_key: r.advert})
ON CREATE SET a.case_ids = []
MERGE (c)-[m:MENTIONS {rel_key: r.advert_mention.k}]->(a)
ON CREATE SET m += r.advert_mention.p, m.pending_case = r.case_id, m.batch_id = $batch_id
WITH r, c, a
WHERE r.lists IS NOT NULL
MERGE (n:Phone {e164: r.phone})
ON CREATE SET n.case_ids = []
MERGE (c)-[mp:MENTIONS {rel_key: r.phone_mention.k}]->(n)
ON CREATE SET mp += r.phone_mention.p, mp.pending_case = r.case_id, mp.batch_id = $batch_id
MERGE (a)-[l:LISTS {rel_key: r.lists.k}]->(n)
ON CREATE SET l += r.lists.p, l.pending_case = r.case_id, l.batch_id = $batch_id
