// description: >-
//   phones.csv: the case MENTIONS the phone; the case's person USES it when the row names one.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
//   A fact already in the graph (same rel_key) that another batch stated is restated, not
//   written again (ON MATCH, so a new fact costs nothing more): this batch joins the fact's
//   restated_by when it states the same values, else its differed_by, and its own statement
//   is kept beside the fact as a dormant edge (rel_key + '/' + batch_id, dormant_case
//   instead of case_id: no read ever sees it). The fact keeps the values and batch_id of the
//   batch that first stated it; withdrawing that batch hands it to a restater, whose values
//   it then shows (ingest/batches.py). Running a chunk again changes nothing.
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
ON MATCH SET m.restated_by = CASE WHEN m.batch_id = $batch_id
                     OR $batch_id IN (coalesce(m.restated_by, []) + coalesce(m.differed_by, []))
                     OR NOT (coalesce(m.first_seen, '') = coalesce(first_seen, '')
                         AND coalesce(m.last_seen, '') = coalesce(last_seen, '')
                         AND m.posted IS NULL)
                 THEN m.restated_by ELSE coalesce(m.restated_by, []) + [$batch_id] END,
             m.differed_by = CASE WHEN m.batch_id = $batch_id
                     OR $batch_id IN (coalesce(m.restated_by, []) + coalesce(m.differed_by, []))
                     OR (coalesce(m.first_seen, '') = coalesce(first_seen, '')
                         AND coalesce(m.last_seen, '') = coalesce(last_seen, '')
                         AND m.posted IS NULL)
                 THEN m.differed_by ELSE coalesce(m.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(m.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:MENTIONS {rel_key: mention + '/' + $batch_id}]->(n)
  ON CREATE SET d.first_seen = first_seen, d.last_seen = last_seen, d.source = source,
                d.dormant_case = case_id, d.batch_id = $batch_id)
WITH n, case_id, first_seen, last_seen, source, uses, person_id, person_ref
WHERE uses IS NOT NULL
MATCH (p:Person {person_id: person_id})
MERGE (p)-[u:USES {rel_key: uses}]->(n)
ON CREATE SET u.first_seen = first_seen, u.last_seen = last_seen, u.person_ref = person_ref,
              u.source = source, u.pending_case = case_id, u.batch_id = $batch_id
ON MATCH SET u.restated_by = CASE WHEN u.batch_id = $batch_id
                     OR $batch_id IN (coalesce(u.restated_by, []) + coalesce(u.differed_by, []))
                     OR NOT (coalesce(u.first_seen, '') = coalesce(first_seen, '')
                         AND coalesce(u.last_seen, '') = coalesce(last_seen, ''))
                 THEN u.restated_by ELSE coalesce(u.restated_by, []) + [$batch_id] END,
             u.differed_by = CASE WHEN u.batch_id = $batch_id
                     OR $batch_id IN (coalesce(u.restated_by, []) + coalesce(u.differed_by, []))
                     OR (coalesce(u.first_seen, '') = coalesce(first_seen, '')
                         AND coalesce(u.last_seen, '') = coalesce(last_seen, ''))
                 THEN u.differed_by ELSE coalesce(u.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(u.differed_by, []) THEN [1] ELSE [] END |
  MERGE (p)-[d:USES {rel_key: uses + '/' + $batch_id}]->(n)
  ON CREATE SET d.first_seen = first_seen, d.last_seen = last_seen,
                d.person_ref = person_ref, d.source = source, d.dormant_case = case_id,
                d.batch_id = $batch_id)
