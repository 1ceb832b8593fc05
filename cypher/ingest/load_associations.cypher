// description: >-
//   associations.csv: two persons of the case are ASSOCIATED_WITH each other.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
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
