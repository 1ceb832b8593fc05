// description: >-
//   The Address nodes with these keys that one of the caller's cases holds a fact about, each
//   with its key; an invisible one is answered exactly like a missing one (no row). Returns
//   the internal id for this request only.
// params:
//   allowed_cases: list<string>
//   keys: list<string>
UNWIND $keys AS key
MATCH (n:Address {address_key: key})
WHERE any(c IN n.case_ids WHERE c IN $allowed_cases)
RETURN key, n AS node, id(n) AS nid
