// description: The caller's visible cases among these ids, with their attributes.
// params:
//   allowed_cases: list<string>
//   case_ids: list<string>
MATCH (c:Case)
WHERE c.case_id IN $case_ids AND c.case_id IN $allowed_cases AND c.pending_batch IS NULL
RETURN c AS node
ORDER BY c.case_id
