// description: >-
//   phones.csv: the case MENTIONS the phone; the case's person USES it when the row names one.
//   Written pending (pending_case instead of case_id) under the batch's id; each fact
//   slot of a row is a map {k: rel_key, p: properties}, null when the row states no such fact.
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MATCH (c:Case {case_id: r.case_id})
MERGE (n:Phone {e164: r.phone})
ON CREATE SET n.case_ids = []
MERGE (c)-[m:MENTIONS {rel_key: r.mentions.k}]->(n)
ON CREATE SET m += r.mentions.p, m.pending_case = r.case_id, m.batch_id = $batch_id
WITH r, n
WHERE r.uses IS NOT NULL
MATCH (p:Person {person_id: r.person_id})
MERGE (p)-[u:USES {rel_key: r.uses.k}]->(n)
ON CREATE SET u += r.uses.p, u.pending_case = r.case_id, u.batch_id = $batch_id
