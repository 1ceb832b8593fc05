// description: >-
//   How many visible neighbours each of these nodes (internal ids of this request) has in
//   the whole graph: what sizes a node by degree, and what "N more" counts for nodes of a
//   view that were not expanded.
//   A merge suggestion is visible only when both of its cases are and the person at its
//   other end is one the caller may see (views/entity/person's test): a split or a
//   withdrawal can leave it on a person whom only hidden cases now hold.
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)-[r]-(m)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS'
       OR (r.other_case_id IN $allowed_cases AND any(x IN m.case_ids WHERE x IN $allowed_cases)))
RETURN nid, count(DISTINCT m) AS degree
