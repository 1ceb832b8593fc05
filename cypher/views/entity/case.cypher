// description: >-
//   The Case nodes with these keys that one of the caller's cases holds a fact about, each
//   with its key; an invisible one is answered exactly like a missing one (no row). Returns
//   the internal id for this request only.
//   The case's own id is tested as any(x IN [c.case_id] ...), not c.case_id IN $allowed_cases:
//   FalkorDB would add every allowed case to the index look-up of the key
//   (graphapp/store/falkor_scope.py).
// params:
//   allowed_cases: list<string>
//   keys: list<string>
UNWIND $keys AS key
MATCH (n:Case {case_id: key})
WHERE any(c IN [n.case_id] WHERE c IN $allowed_cases) AND n.pending_batch IS NULL
RETURN key, n AS node, id(n) AS nid
