// description: >-
//   persons.csv, one row per case record of a person: the case INVOLVES the (resolved) person, with the record's match and blocking keys.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
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
ON CREATE SET e.person_ref = person_ref, e.name = name, e.birth_date = birth_date,
              e.nationality = nationality, e.national_id = national_id, e.role = role,
              e.source = source, e.match_keys = match_keys, e.block_keys = block_keys,
              e.pending_case = case_id, e.batch_id = $batch_id
