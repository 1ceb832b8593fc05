// description: >-
//   hotels.csv: the case MENTIONS the hotel; with a street, also the address, and the hotel is LOCATED_AT it.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
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
WITH c, h, case_id, street, postcode, city, country, source, address, address_mention,
     located_at
WHERE located_at IS NOT NULL
MERGE (a:Address {address_key: address})
ON CREATE SET a.case_ids = []
MERGE (c)-[ma:MENTIONS {rel_key: address_mention}]->(a)
ON CREATE SET ma.street = street, ma.postcode = postcode, ma.city = city,
              ma.country = country, ma.source = source, ma.pending_case = case_id,
              ma.batch_id = $batch_id
MERGE (h)-[l:LOCATED_AT {rel_key: located_at}]->(a)
ON CREATE SET l.source = source, l.pending_case = case_id, l.batch_id = $batch_id
