// description: >-
//   persons.csv, one row per case record of a person: the case INVOLVES the (resolved) person, with the record's match and blocking keys.
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
WITH row[0] AS case_id, row[1] AS person_id, row[2] AS involves, row[3] AS match_keys,
     row[4] AS block_keys, row[5] AS person_ref, row[6] AS name, row[7] AS birth_date,
     row[8] AS nationality, row[9] AS national_id, row[10] AS role, row[11] AS source
MATCH (c:Case {case_id: case_id})
MERGE (p:Person {person_id: person_id})
ON CREATE SET p.case_ids = [], p.match_keys = [], p.block_keys = []
MERGE (c)-[e:INVOLVES {rel_key: involves}]->(p)
ON CREATE SET e.name = name, e.birth_date = birth_date, e.nationality = nationality,
              e.national_id = national_id, e.role = role, e.person_ref = person_ref,
              e.source = source, e.match_keys = match_keys, e.block_keys = block_keys,
              e.pending_case = case_id, e.batch_id = $batch_id
ON MATCH SET e.restated_by = CASE WHEN e.batch_id = $batch_id
                     OR $batch_id IN (coalesce(e.restated_by, []) + coalesce(e.differed_by, []))
                     OR NOT (coalesce(e.name, '') = coalesce(name, '')
                         AND coalesce(e.birth_date, '') = coalesce(birth_date, '')
                         AND coalesce(e.nationality, '') = coalesce(nationality, '')
                         AND coalesce(e.national_id, '') = coalesce(national_id, '')
                         AND coalesce(e.role, '') = coalesce(role, ''))
                 THEN e.restated_by ELSE coalesce(e.restated_by, []) + [$batch_id] END,
             e.differed_by = CASE WHEN e.batch_id = $batch_id
                     OR $batch_id IN (coalesce(e.restated_by, []) + coalesce(e.differed_by, []))
                     OR (coalesce(e.name, '') = coalesce(name, '')
                         AND coalesce(e.birth_date, '') = coalesce(birth_date, '')
                         AND coalesce(e.nationality, '') = coalesce(nationality, '')
                         AND coalesce(e.national_id, '') = coalesce(national_id, '')
                         AND coalesce(e.role, '') = coalesce(role, ''))
                 THEN e.differed_by ELSE coalesce(e.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(e.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:INVOLVES {rel_key: involves + '/' + $batch_id}]->(p)
  ON CREATE SET d.name = name, d.birth_date = birth_date, d.nationality = nationality,
                d.national_id = national_id, d.role = role, d.person_ref = person_ref,
                d.source = source, d.match_keys = match_keys, d.block_keys = block_keys,
                d.dormant_case = case_id, d.batch_id = $batch_id)
