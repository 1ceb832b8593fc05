// description: >-
//   addresses.csv: the case MENTIONS the address; the case's person RESIDES_AT it when the row names one.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
// params:
//   rows: list
//   batch_id: string
UNWIND $rows AS row
WITH row[0] AS case_id, row[1] AS address, row[2] AS mention, row[3] AS street,
     row[4] AS postcode, row[5] AS city, row[6] AS country, row[7] AS source,
     row[8] AS resides_at, row[9] AS person_id, row[10] AS kind, row[11] AS person_ref
MATCH (c:Case {case_id: case_id})
MERGE (n:Address {address_key: address})
ON CREATE SET n.case_ids = []
MERGE (c)-[m:MENTIONS {rel_key: mention}]->(n)
ON CREATE SET m.street = street, m.postcode = postcode, m.city = city, m.country = country,
              m.source = source, m.pending_case = case_id, m.batch_id = $batch_id
WITH n, case_id, source, resides_at, person_id, kind, person_ref
WHERE resides_at IS NOT NULL
MATCH (p:Person {person_id: person_id})
MERGE (p)-[u:RESIDES_AT {rel_key: resides_at}]->(n)
ON CREATE SET u.kind = kind, u.person_ref = person_ref, u.source = source,
              u.pending_case = case_id, u.batch_id = $batch_id
