// description: >-
//   The Case with this key, if one of the caller's cases holds a fact about it; an invisible
//   one is answered exactly like a missing one. Returns the internal id for this request only.
// params:
//   allowed_cases: list<string>
//   key: string
MATCH (n:Case {case_id: $key})
WHERE n.case_id IN $allowed_cases AND n.pending_batch IS NULL
RETURN n AS node, id(n) AS nid
