// description: >-
//   Record merge suggestions between two persons, one per pair of case records; visible only
//   to users who may see both records (case_id and other_case_id). Each row is a list
//   (ingest/resolve.py SUGGESTION_COLUMNS, in this order; a list encodes much faster than a
//   map).
// params:
//   rows: list
//   batch_id: string
UNWIND $rows AS row
WITH row[0] AS a_id, row[1] AS b_id, row[2] AS rel_key, row[3] AS case_id,
     row[4] AS other_case_id, row[5] AS score, row[6] AS evidence, row[7] AS source
MATCH (a:Person {person_id: a_id}), (b:Person {person_id: b_id})
MERGE (a)-[e:MAYBE_SAME_AS {rel_key: rel_key}]->(b)
ON CREATE SET e.score = score, e.evidence = evidence, e.source = source, e.case_id = case_id,
              e.other_case_id = other_case_id, e.batch_id = $batch_id
