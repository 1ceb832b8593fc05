// description: >-
//   One hop of a network expansion: the visible facts of a set of nodes (internal ids of this
//   request) with the nodes at their other ends. The caller decides which nodes to expand
//   next (never through a Case node unless asked).
// params:
//   allowed_cases: list<string>
//   nids: list
//   limit: int
UNWIND $nids AS nid
MATCH (n)-[r]-(m)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS' OR r.other_case_id IN $allowed_cases)
RETURN n AS node, r AS rel, m AS other, id(m) AS other_nid
LIMIT $limit
