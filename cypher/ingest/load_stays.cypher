// description: >-
//   stays.csv: the case MENTIONS the hotel, and the case's person STAYED_AT it.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
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
WITH h, case_id, source, stayed_at, person_id, check_in, check_out, room, person_ref
MATCH (p:Person {person_id: person_id})
MERGE (p)-[s:STAYED_AT {rel_key: stayed_at}]->(h)
ON CREATE SET s.check_in = check_in, s.check_out = check_out, s.room = room,
              s.person_ref = person_ref, s.source = source, s.pending_case = case_id,
              s.batch_id = $batch_id
