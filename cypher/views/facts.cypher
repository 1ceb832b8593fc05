// description: >-
//   The visible facts about one node (internal id from views/entity/*), with the node at the
//   other end. A merge suggestion is visible only when both of its cases are.
//   A merge suggestion is visible only when both of its cases are and the person at its
//   other end is one the caller may see (views/entity/person's test): a split or a
//   withdrawal can leave it on a person whom only hidden cases now hold.
// params:
//   allowed_cases: list<string>
//   nid: int
//   limit: int
MATCH (n)-[r]-(m)
WHERE id(n) = $nid AND r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS'
       OR (r.other_case_id IN $allowed_cases AND any(x IN m.case_ids WHERE x IN $allowed_cases)))
RETURN n AS node, r AS rel, m AS other, id(m) AS other_nid
ORDER BY r.case_id, type(r), id(m)
LIMIT $limit
