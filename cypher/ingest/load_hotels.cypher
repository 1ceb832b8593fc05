// description: >-
//   hotels.csv: the case MENTIONS the hotel; with a street, also the address, and the hotel is LOCATED_AT it.
//   Written pending (pending_case instead of case_id) under the batch's id; each fact
//   slot of a row is a map {k: rel_key, p: properties}, null when the row states no such fact.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (c:Case {case_id: r.case_id})
MERGE (h:Hotel {hotel_key: r.hotel})
ON CREATE SET h.case_ids = []
MERGE (c)-[m:MENTIONS {rel_key: r.hotel_mention.k}]->(h)
ON CREATE SET m += r.hotel_mention.p, m.pending_case = r.case_id, m.batch_id = $batch_id
WITH r, c, h
WHERE r.located_at IS NOT NULL
MERGE (a:Address {address_key: r.address})
ON CREATE SET a.case_ids = []
MERGE (c)-[ma:MENTIONS {rel_key: r.address_mention.k}]->(a)
ON CREATE SET ma += r.address_mention.p, ma.pending_case = r.case_id, ma.batch_id = $batch_id
MERGE (h)-[l:LOCATED_AT {rel_key: r.located_at.k}]->(a)
ON CREATE SET l += r.located_at.p, l.pending_case = r.case_id, l.batch_id = $batch_id
