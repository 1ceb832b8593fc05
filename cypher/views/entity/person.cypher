// description: >-
//   The Person with this key, if one of the caller's cases holds a fact about it; an invisible
//   one is answered exactly like a missing one. Returns the internal id for this request only.
// params:
//   allowed_cases: list<string>
//   key: string
MATCH (n:Person {person_id: $key})
WHERE any(c IN n.case_ids WHERE c IN $allowed_cases)
RETURN n AS node, id(n) AS nid
