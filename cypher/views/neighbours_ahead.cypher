// description: >-
//   The next hop's neighbours, read beside the first hop's (views/neighbours): for each node
//   that views/neighbours shows of $nid (the first $per_node in its stable order) and that a
//   view expands (not a case, unless $through_cases), its visible neighbours in the same
//   stable order (kind, then id), $per_node of them, with how many it has in all and which
//   are cases. The first hop is worked out again here rather than waited for, so that a
//   2-hop view reads its neighbours in one round trip instead of two; the caller keeps the
//   rows of the nodes it did expand. A merge suggestion is visible only when both of its
//   cases are.
//   A merge suggestion is visible only when both of its cases are and the person at its
//   other end is one the caller may see (views/entity/person's test): a split or a
//   withdrawal can leave it on a person whom only hidden cases now hold.
// params:
//   allowed_cases: list<string>
//   nid: int
//   per_node: int
//   through_cases: bool
MATCH (n)-[r]-(m)
WHERE id(n) = $nid AND r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS'
       OR (r.other_case_id IN $allowed_cases AND any(x IN m.case_ids WHERE x IN $allowed_cases)))
WITH DISTINCT m
ORDER BY labels(m)[0], id(m)
WITH collect(m) AS ms
UNWIND ms[0..$per_node] AS m
WITH m
WHERE $through_cases OR NOT m:Case
MATCH (m)-[r]-(o)
WHERE r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS'
       OR (r.other_case_id IN $allowed_cases AND any(x IN o.case_ids WHERE x IN $allowed_cases)))
WITH DISTINCT m, o
ORDER BY id(m), labels(o)[0], id(o)
WITH m, collect(id(o)) AS others, collect(o:Case) AS cases
RETURN id(m) AS nid, size(others) AS total, others[0..$per_node] AS shown,
       cases[0..$per_node] AS shown_cases
