// description: >-
//   stays.csv: the case MENTIONS the hotel, and the case's person STAYED_AT it.
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
WITH r, h
MATCH (p:Person {person_id: r.person_id})
MERGE (p)-[s:STAYED_AT {rel_key: r.stayed_at.k}]->(h)
ON CREATE SET s += r.stayed_at.p, s.pending_case = r.case_id, s.batch_id = $batch_id
