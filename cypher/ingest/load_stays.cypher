// description: >-
//   stays.csv: the case MENTIONS the hotel, and the case's person STAYED_AT it.
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
WITH row[0] AS case_id, row[1] AS hotel, row[2] AS mention, row[3] AS hotel_name,
     row[4] AS city, row[5] AS country, row[6] AS source, row[7] AS stayed_at,
     row[8] AS person_id, row[9] AS check_in, row[10] AS check_out, row[11] AS room,
     row[12] AS person_ref
MATCH (c:Case {case_id: case_id})
MERGE (h:Hotel {hotel_key: hotel})
ON CREATE SET h.case_ids = []
MERGE (c)-[m:MENTIONS {rel_key: mention}]->(h)
ON CREATE SET m.hotel_name = hotel_name, m.city = city, m.country = country,
              m.source = source, m.pending_case = case_id, m.batch_id = $batch_id
ON MATCH SET m.restated_by = CASE WHEN m.batch_id = $batch_id
                     OR $batch_id IN (coalesce(m.restated_by, []) + coalesce(m.differed_by, []))
                     OR NOT (coalesce(m.hotel_name, '') = coalesce(hotel_name, '')
                         AND m.street IS NULL
                         AND m.postcode IS NULL
                         AND coalesce(m.city, '') = coalesce(city, '')
                         AND coalesce(m.country, '') = coalesce(country, ''))
                 THEN m.restated_by ELSE coalesce(m.restated_by, []) + [$batch_id] END,
             m.differed_by = CASE WHEN m.batch_id = $batch_id
                     OR $batch_id IN (coalesce(m.restated_by, []) + coalesce(m.differed_by, []))
                     OR (coalesce(m.hotel_name, '') = coalesce(hotel_name, '')
                         AND m.street IS NULL
                         AND m.postcode IS NULL
                         AND coalesce(m.city, '') = coalesce(city, '')
                         AND coalesce(m.country, '') = coalesce(country, ''))
                 THEN m.differed_by ELSE coalesce(m.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(m.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:MENTIONS {rel_key: mention + '/' + $batch_id}]->(h)
  ON CREATE SET d.hotel_name = hotel_name, d.city = city, d.country = country,
                d.source = source, d.dormant_case = case_id, d.batch_id = $batch_id)
WITH h, case_id, source, stayed_at, person_id, check_in, check_out, room, person_ref
MATCH (p:Person {person_id: person_id})
MERGE (p)-[s:STAYED_AT {rel_key: stayed_at}]->(h)
ON CREATE SET s.check_in = check_in, s.check_out = check_out, s.room = room,
              s.person_ref = person_ref, s.source = source, s.pending_case = case_id,
              s.batch_id = $batch_id
ON MATCH SET s.restated_by = CASE WHEN s.batch_id = $batch_id
                     OR $batch_id IN (coalesce(s.restated_by, []) + coalesce(s.differed_by, []))
                     OR NOT (coalesce(s.check_in, '') = coalesce(check_in, '')
                         AND coalesce(s.check_out, '') = coalesce(check_out, '')
                         AND coalesce(s.room, '') = coalesce(room, ''))
                 THEN s.restated_by ELSE coalesce(s.restated_by, []) + [$batch_id] END,
             s.differed_by = CASE WHEN s.batch_id = $batch_id
                     OR $batch_id IN (coalesce(s.restated_by, []) + coalesce(s.differed_by, []))
                     OR (coalesce(s.check_in, '') = coalesce(check_in, '')
                         AND coalesce(s.check_out, '') = coalesce(check_out, '')
                         AND coalesce(s.room, '') = coalesce(room, ''))
                 THEN s.differed_by ELSE coalesce(s.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(s.differed_by, []) THEN [1] ELSE [] END |
  MERGE (p)-[d:STAYED_AT {rel_key: stayed_at + '/' + $batch_id}]->(h)
  ON CREATE SET d.check_in = check_in, d.check_out = check_out, d.room = room,
                d.person_ref = person_ref, d.source = source, d.dormant_case = case_id,
                d.batch_id = $batch_id)
