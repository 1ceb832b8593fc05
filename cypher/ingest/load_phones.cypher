// description: >-
//   phones.csv: the case MENTIONS the phone; the case's person USES it when the row names one.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
// params:
//   rows: list
//   batch_id: string
UNWIND $rows AS row
WITH row[0] AS case_id, row[1] AS phone, row[2] AS mention, row[3] AS first_seen,
     row[4] AS last_seen, row[5] AS source, row[6] AS uses, row[7] AS person_id,
     row[8] AS person_ref
MATCH (c:Case {case_id: case_id})
MERGE (n:Phone {e164: phone})
ON CREATE SET n.case_ids = []
MERGE (c)-[m:MENTIONS {rel_key: mention}]->(n)
ON CREATE SET m.first_seen = first_seen, m.last_seen = last_seen, m.source = source,
              m.pending_case = case_id, m.batch_id = $batch_id
WITH n, case_id, first_seen, last_seen, source, uses, person_id, person_ref
WHERE uses IS NOT NULL
MATCH (p:Person {person_id: person_id})
MERGE (p)-[u:USES {rel_key: uses}]->(n)
ON CREATE SET u.first_seen = first_seen, u.last_seen = last_seen, u.person_ref = person_ref,
              u.source = source, u.pending_case = case_id, u.batch_id = $batch_id
