// description: >-
//   One hop of a network expansion: the visible facts of a set of nodes (internal ids of this
//   request) with the nodes at their other ends. The caller decides which nodes to expand
//   next (never through a Case node unless asked).
//   A merge suggestion is visible only when both of its cases are and the person at its
//   other end is one the caller may see (views/entity/person's test): a split or a
//   withdrawal can leave it on a person whom only hidden cases now hold.
// params:
//   allowed_cases: list<string>
//   nids: list
//   limit: int
UNWIND $nids AS nid
MATCH (n)-[r]-(m)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS'
       OR (r.other_case_id IN $allowed_cases AND any(x IN m.case_ids WHERE x IN $allowed_cases)))
RETURN n AS node, r AS rel, m AS other, id(m) AS other_nid
LIMIT $limit
