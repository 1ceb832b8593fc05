// description: >-
//   The caller's visible cases among these ids (graphapp/services/search.py picks the ids that
//   contain the search text from the caller's own case ids, no graph read for that).
//   Pending cases are left out.
//   The case's own id is tested as any(x IN [c.case_id] ...), not c.case_id IN $allowed_cases:
//   FalkorDB would add every allowed case to the index look-up of the key
//   (graphapp/store/falkor_scope.py).
// params:
//   allowed_cases: list<string>
//   case_ids: list<string>
//   limit: int
MATCH (n:Case)
WHERE n.case_id IN $case_ids AND any(x IN [n.case_id] WHERE x IN $allowed_cases) AND n.pending_batch IS NULL
RETURN n AS node, id(n) AS nid, 1 AS facts
LIMIT $limit
