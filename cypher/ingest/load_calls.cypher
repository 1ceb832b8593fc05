// description: >-
//   calls.csv: the case MENTIONS both phones, and the calling phone CALLED the other.
//   Written pending (pending_case instead of case_id) under the batch's id. Each row is a
//   list (ingest/loader.py ROW_COLUMNS, in this order; a list encodes much faster than a
//   map); a fact's key is null when the row states no such fact, and an empty property is
//   null, which sets nothing.
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
MERGE (c)-[mb:MENTIONS {rel_key: to_mention}]->(b)
ON CREATE SET mb.source = source, mb.pending_case = case_id, mb.batch_id = $batch_id
MERGE (a)-[e:CALLED {rel_key: called}]->(b)
ON CREATE SET e.first_call = first_call, e.last_call = last_call, e.count = call_count,
              e.source = source, e.pending_case = case_id, e.batch_id = $batch_id
