// description: Which of these case ids already have a Case node (ingest checks facts point at a case).
// params:
//   case_ids: list<string>
UNWIND $case_ids AS id
MATCH (c:Case {case_id: id})
WHERE c.pending_batch IS NULL
RETURN c.case_id AS case_id
