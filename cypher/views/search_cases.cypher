// description: >-
//   The caller's visible cases among these ids (graphapp/services/search.py picks the ids that
//   contain the search text from the caller's own case ids, no graph read for that).
//   Pending cases are left out.
// params:
//   allowed_cases: list<string>
//   case_ids: list<string>
//   limit: int
MATCH (n:Case)
WHERE n.case_id IN $case_ids AND n.case_id IN $allowed_cases AND n.pending_batch IS NULL
RETURN n AS node, id(n) AS nid, 1 AS facts
LIMIT $limit
