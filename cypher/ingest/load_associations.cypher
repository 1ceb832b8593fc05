// description: >-
//   associations.csv: two persons of the case are ASSOCIATED_WITH each other.
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
WITH row[0] AS case_id, row[1] AS person_id, row[2] AS other_person_id,
     row[3] AS associated_with, row[4] AS kind, row[5] AS person_ref_a,
     row[6] AS person_ref_b, row[7] AS source
MATCH (a:Person {person_id: person_id})
MATCH (b:Person {person_id: other_person_id})
MERGE (a)-[e:ASSOCIATED_WITH {rel_key: associated_with}]->(b)
ON CREATE SET e.kind = kind, e.person_ref_a = person_ref_a, e.person_ref_b = person_ref_b,
              e.source = source, e.pending_case = case_id, e.batch_id = $batch_id
ON MATCH SET e.restated_by = CASE WHEN e.batch_id = $batch_id
                     OR $batch_id IN (coalesce(e.restated_by, []) + coalesce(e.differed_by, []))
                     OR NOT (coalesce(e.kind, '') = coalesce(kind, ''))
                 THEN e.restated_by ELSE coalesce(e.restated_by, []) + [$batch_id] END,
             e.differed_by = CASE WHEN e.batch_id = $batch_id
                     OR $batch_id IN (coalesce(e.restated_by, []) + coalesce(e.differed_by, []))
                     OR (coalesce(e.kind, '') = coalesce(kind, ''))
                 THEN e.differed_by ELSE coalesce(e.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(e.differed_by, []) THEN [1] ELSE [] END |
  MERGE (a)-[d:ASSOCIATED_WITH {rel_key: associated_with + '/' + $batch_id}]->(b)
  ON CREATE SET d.kind = kind, d.person_ref_a = person_ref_a, d.person_ref_b = person_ref_b,
                d.source = source, d.dormant_case = case_id, d.batch_id = $batch_id)
