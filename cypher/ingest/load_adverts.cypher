// description: >-
//   adverts.csv: the case MENTIONS the advert; with a number, also the phone, which the advert LISTS.
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
WITH row[0] AS case_id, row[1] AS advert, row[2] AS mention, row[3] AS site,
     row[4] AS advert_id, row[5] AS url, row[6] AS posted, row[7] AS city, row[8] AS source,
     row[9] AS phone, row[10] AS phone_mention, row[11] AS lists
MATCH (c:Case {case_id: case_id})
MERGE (a:Advert {advert_key: advert})
ON CREATE SET a.case_ids = []
MERGE (c)-[m:MENTIONS {rel_key: mention}]->(a)
ON CREATE SET m.site = site, m.advert_id = advert_id, m.url = url, m.posted = posted,
              m.city = city, m.source = source, m.pending_case = case_id,
              m.batch_id = $batch_id
ON MATCH SET m.restated_by = CASE WHEN m.batch_id = $batch_id
                     OR $batch_id IN (coalesce(m.restated_by, []) + coalesce(m.differed_by, []))
                     OR NOT (coalesce(m.site, '') = coalesce(site, '')
                         AND coalesce(m.advert_id, '') = coalesce(advert_id, '')
                         AND coalesce(m.url, '') = coalesce(url, '')
                         AND coalesce(m.posted, '') = coalesce(posted, '')
                         AND coalesce(m.city, '') = coalesce(city, ''))
                 THEN m.restated_by ELSE coalesce(m.restated_by, []) + [$batch_id] END,
             m.differed_by = CASE WHEN m.batch_id = $batch_id
                     OR $batch_id IN (coalesce(m.restated_by, []) + coalesce(m.differed_by, []))
                     OR (coalesce(m.site, '') = coalesce(site, '')
                         AND coalesce(m.advert_id, '') = coalesce(advert_id, '')
                         AND coalesce(m.url, '') = coalesce(url, '')
                         AND coalesce(m.posted, '') = coalesce(posted, '')
                         AND coalesce(m.city, '') = coalesce(city, ''))
                 THEN m.differed_by ELSE coalesce(m.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(m.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:MENTIONS {rel_key: mention + '/' + $batch_id}]->(a)
  ON CREATE SET d.site = site, d.advert_id = advert_id, d.url = url, d.posted = posted,
                d.city = city, d.source = source, d.dormant_case = case_id,
                d.batch_id = $batch_id)
WITH c, a, case_id, posted, source, phone, phone_mention, lists
WHERE lists IS NOT NULL
MERGE (n:Phone {e164: phone})
ON CREATE SET n.case_ids = []
MERGE (c)-[mp:MENTIONS {rel_key: phone_mention}]->(n)
ON CREATE SET mp.posted = posted, mp.source = source, mp.pending_case = case_id,
              mp.batch_id = $batch_id
ON MATCH SET mp.restated_by = CASE WHEN mp.batch_id = $batch_id
                     OR $batch_id IN (coalesce(mp.restated_by, []) + coalesce(mp.differed_by, []))
                     OR NOT (mp.first_seen IS NULL
                         AND mp.last_seen IS NULL
                         AND coalesce(mp.posted, '') = coalesce(posted, ''))
                 THEN mp.restated_by ELSE coalesce(mp.restated_by, []) + [$batch_id] END,
             mp.differed_by = CASE WHEN mp.batch_id = $batch_id
                     OR $batch_id IN (coalesce(mp.restated_by, []) + coalesce(mp.differed_by, []))
                     OR (mp.first_seen IS NULL
                         AND mp.last_seen IS NULL
                         AND coalesce(mp.posted, '') = coalesce(posted, ''))
                 THEN mp.differed_by ELSE coalesce(mp.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(mp.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:MENTIONS {rel_key: phone_mention + '/' + $batch_id}]->(n)
  ON CREATE SET d.posted = posted, d.source = source, d.dormant_case = case_id,
                d.batch_id = $batch_id)
MERGE (a)-[l:LISTS {rel_key: lists}]->(n)
ON CREATE SET l.posted = posted, l.source = source, l.pending_case = case_id,
              l.batch_id = $batch_id
ON MATCH SET l.restated_by = CASE WHEN l.batch_id = $batch_id
                     OR $batch_id IN (coalesce(l.restated_by, []) + coalesce(l.differed_by, []))
                     OR NOT (coalesce(l.posted, '') = coalesce(posted, ''))
                 THEN l.restated_by ELSE coalesce(l.restated_by, []) + [$batch_id] END,
             l.differed_by = CASE WHEN l.batch_id = $batch_id
                     OR $batch_id IN (coalesce(l.restated_by, []) + coalesce(l.differed_by, []))
                     OR (coalesce(l.posted, '') = coalesce(posted, ''))
                 THEN l.differed_by ELSE coalesce(l.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(l.differed_by, []) THEN [1] ELSE [] END |
  MERGE (a)-[d:LISTS {rel_key: lists + '/' + $batch_id}]->(n)
  ON CREATE SET d.posted = posted, d.source = source, d.dormant_case = case_id,
                d.batch_id = $batch_id)
