// description: >-
//   calls.csv: the case MENTIONS both phones, and the calling phone CALLED the other.
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
WITH row[0] AS case_id, row[1] AS from_phone, row[2] AS to_phone, row[3] AS from_mention,
     row[4] AS to_mention, row[5] AS called, row[6] AS first_call, row[7] AS last_call,
     row[8] AS call_count, row[9] AS source
MATCH (c:Case {case_id: case_id})
MERGE (a:Phone {e164: from_phone})
ON CREATE SET a.case_ids = []
MERGE (b:Phone {e164: to_phone})
ON CREATE SET b.case_ids = []
MERGE (c)-[ma:MENTIONS {rel_key: from_mention}]->(a)
ON CREATE SET ma.source = source, ma.pending_case = case_id, ma.batch_id = $batch_id
ON MATCH SET ma.restated_by = CASE WHEN ma.batch_id = $batch_id
                     OR $batch_id IN (coalesce(ma.restated_by, []) + coalesce(ma.differed_by, []))
                     OR NOT (ma.first_seen IS NULL
                         AND ma.last_seen IS NULL
                         AND ma.posted IS NULL)
                 THEN ma.restated_by ELSE coalesce(ma.restated_by, []) + [$batch_id] END,
             ma.differed_by = CASE WHEN ma.batch_id = $batch_id
                     OR $batch_id IN (coalesce(ma.restated_by, []) + coalesce(ma.differed_by, []))
                     OR (ma.first_seen IS NULL
                         AND ma.last_seen IS NULL
                         AND ma.posted IS NULL)
                 THEN ma.differed_by ELSE coalesce(ma.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(ma.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:MENTIONS {rel_key: from_mention + '/' + $batch_id}]->(a)
  ON CREATE SET d.source = source, d.dormant_case = case_id, d.batch_id = $batch_id)
MERGE (c)-[mb:MENTIONS {rel_key: to_mention}]->(b)
ON CREATE SET mb.source = source, mb.pending_case = case_id, mb.batch_id = $batch_id
ON MATCH SET mb.restated_by = CASE WHEN mb.batch_id = $batch_id
                     OR $batch_id IN (coalesce(mb.restated_by, []) + coalesce(mb.differed_by, []))
                     OR NOT (mb.first_seen IS NULL
                         AND mb.last_seen IS NULL
                         AND mb.posted IS NULL)
                 THEN mb.restated_by ELSE coalesce(mb.restated_by, []) + [$batch_id] END,
             mb.differed_by = CASE WHEN mb.batch_id = $batch_id
                     OR $batch_id IN (coalesce(mb.restated_by, []) + coalesce(mb.differed_by, []))
                     OR (mb.first_seen IS NULL
                         AND mb.last_seen IS NULL
                         AND mb.posted IS NULL)
                 THEN mb.differed_by ELSE coalesce(mb.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(mb.differed_by, []) THEN [1] ELSE [] END |
  MERGE (c)-[d:MENTIONS {rel_key: to_mention + '/' + $batch_id}]->(b)
  ON CREATE SET d.source = source, d.dormant_case = case_id, d.batch_id = $batch_id)
MERGE (a)-[e:CALLED {rel_key: called}]->(b)
ON CREATE SET e.first_call = first_call, e.last_call = last_call, e.count = call_count,
              e.source = source, e.pending_case = case_id, e.batch_id = $batch_id
ON MATCH SET e.restated_by = CASE WHEN e.batch_id = $batch_id
                     OR $batch_id IN (coalesce(e.restated_by, []) + coalesce(e.differed_by, []))
                     OR NOT (coalesce(e.first_call, '') = coalesce(first_call, '')
                         AND coalesce(e.last_call, '') = coalesce(last_call, '')
                         AND coalesce(e.count, '') = coalesce(call_count, ''))
                 THEN e.restated_by ELSE coalesce(e.restated_by, []) + [$batch_id] END,
             e.differed_by = CASE WHEN e.batch_id = $batch_id
                     OR $batch_id IN (coalesce(e.restated_by, []) + coalesce(e.differed_by, []))
                     OR (coalesce(e.first_call, '') = coalesce(first_call, '')
                         AND coalesce(e.last_call, '') = coalesce(last_call, '')
                         AND coalesce(e.count, '') = coalesce(call_count, ''))
                 THEN e.differed_by ELSE coalesce(e.differed_by, []) + [$batch_id] END
FOREACH (ignored IN CASE WHEN $batch_id IN coalesce(e.differed_by, []) THEN [1] ELSE [] END |
  MERGE (a)-[d:CALLED {rel_key: called + '/' + $batch_id}]->(b)
  ON CREATE SET d.first_call = first_call, d.last_call = last_call, d.count = call_count,
                d.source = source, d.dormant_case = case_id, d.batch_id = $batch_id)
