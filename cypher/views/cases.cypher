// description: >-
//   The caller's visible cases among these ids, with their attributes.
//   The case's own id is tested as any(x IN [c.case_id] ...), not c.case_id IN $allowed_cases:
//   FalkorDB would add every allowed case to the index look-up of the key
//   (graphapp/store/falkor_scope.py).
// params:
//   allowed_cases: list<string>
//   case_ids: list<string>
MATCH (c:Case)
WHERE c.case_id IN $case_ids AND any(x IN [c.case_id] WHERE x IN $allowed_cases) AND c.pending_batch IS NULL
RETURN c AS node
ORDER BY c.case_id
