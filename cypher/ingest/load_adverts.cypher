// description: >-
//   adverts.csv: the case MENTIONS the advert; with a number, also the phone, which the advert LISTS.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
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
WITH c, a, case_id, posted, source, phone, phone_mention, lists
WHERE lists IS NOT NULL
MERGE (n:Phone {e164: phone})
ON CREATE SET n.case_ids = []
MERGE (c)-[mp:MENTIONS {rel_key: phone_mention}]->(n)
ON CREATE SET mp.posted = posted, mp.source = source, mp.pending_case = case_id,
              mp.batch_id = $batch_id
MERGE (a)-[l:LISTS {rel_key: lists}]->(n)
ON CREATE SET l.posted = posted, l.source = source, l.pending_case = case_id,
              l.batch_id = $batch_id
