// description: >-
//   hotels.csv: the case MENTIONS the hotel; with a street, also the address, and the hotel is LOCATED_AT it.
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
     row[4] AS street, row[5] AS postcode, row[6] AS city, row[7] AS country,
     row[8] AS source, row[9] AS address, row[10] AS address_mention, row[11] AS located_at
MATCH (c:Case {case_id: case_id})
MERGE (h:Hotel {hotel_key: hotel})
ON CREATE SET h.case_ids = []
MERGE (c)-[m:MENTIONS {rel_key: mention}]->(h)
ON CREATE SET m.hotel_name = hotel_name, m.street = street, m.postcode = postcode,
              m.city = city, m.country = country, m.source = source,
              m.pending_case = case_id, m.batch_id = $batch_id
ON MATCH SET m.restated_by = CASE WHEN m.batch_id = $batch_id
                     OR $batch_id IN (coalesce(m.restated_by, []) + coalesce(m.differed_by, []))
                     OR NOT (coalesce(m.hotel_name, '') = coalesce(hotel_name, '')
                         AND coalesce(m.street, '') = coalesce(street, '')
                         AND coalesce(m.postcode, '') = coalesce(postcode, '')
                         AND coalesce(m.city, '') = coalesce(city, '')
                         AND coalesce(m.country, '') = coalesce(country, ''))
                 THEN m.restated_by ELSE coalesce(m.restated_by, []) + [$batch_id] END,
             m.differed_by = CASE WHEN m.batch_id = $batch_id
                     OR $batch_id IN (coalesce(m.restated_by, []) + coalesce(m.differed_by, []))
                     OR (coalesce(m.hotel_name, '') = coalesce(hotel_name, '')
                         AND coalesce(m.street, '') = coalesce(street, '')
                         AND coalesce(m.postcode, '') = coalesce(postcode, '')
                         AND coalesce(m.city, '') = coalesce(city, '')
                         AND coalesce(m.country, '') = coalesce(country, ''))
                 THEN m.differed_by ELSE coalesce(m.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(m.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:MENTIONS {rel_key: mention + '/' + $batch_id}]->(h)
  ON CREATE SET d.hotel_name = hotel_name, d.street = street, d.postcode = postcode,
                d.city = city, d.country = country, d.source = source,
                d.dormant_case = case_id, d.batch_id = $batch_id)
WITH c, h, case_id, street, postcode, city, country, source, address, address_mention,
     located_at
WHERE located_at IS NOT NULL
MERGE (a:Address {address_key: address})
ON CREATE SET a.case_ids = []
MERGE (c)-[ma:MENTIONS {rel_key: address_mention}]->(a)
ON CREATE SET ma.street = street, ma.postcode = postcode, ma.city = city,
              ma.country = country, ma.source = source, ma.pending_case = case_id,
              ma.batch_id = $batch_id
ON MATCH SET ma.restated_by = CASE WHEN ma.batch_id = $batch_id
                     OR $batch_id IN (coalesce(ma.restated_by, []) + coalesce(ma.differed_by, []))
                     OR NOT (coalesce(ma.street, '') = coalesce(street, '')
                         AND coalesce(ma.postcode, '') = coalesce(postcode, '')
                         AND coalesce(ma.city, '') = coalesce(city, '')
                         AND coalesce(ma.country, '') = coalesce(country, ''))
                 THEN ma.restated_by ELSE coalesce(ma.restated_by, []) + [$batch_id] END,
             ma.differed_by = CASE WHEN ma.batch_id = $batch_id
                     OR $batch_id IN (coalesce(ma.restated_by, []) + coalesce(ma.differed_by, []))
                     OR (coalesce(ma.street, '') = coalesce(street, '')
                         AND coalesce(ma.postcode, '') = coalesce(postcode, '')
                         AND coalesce(ma.city, '') = coalesce(city, '')
                         AND coalesce(ma.country, '') = coalesce(country, ''))
                 THEN ma.differed_by ELSE coalesce(ma.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(ma.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:MENTIONS {rel_key: address_mention + '/' + $batch_id}]->(a)
  ON CREATE SET d.street = street, d.postcode = postcode, d.city = city, d.country = country,
                d.source = source, d.dormant_case = case_id, d.batch_id = $batch_id)
MERGE (h)-[l:LOCATED_AT {rel_key: located_at}]->(a)
ON CREATE SET l.source = source, l.pending_case = case_id, l.batch_id = $batch_id
ON MATCH SET l.restated_by = CASE WHEN l.batch_id = $batch_id
                     OR $batch_id IN (coalesce(l.restated_by, []) + coalesce(l.differed_by, []))
                 THEN l.restated_by ELSE coalesce(l.restated_by, []) + [$batch_id] END
