// description: >-
//   A view's first neighbours, read beside the look-up of its entity (views/entity/<kind>,
//   which decides whether the caller may see it: the caller drops these rows when it may
//   not), so that a view starts in one round trip, not two. The start passes the look-up's
//   own test here too: an entity that only hidden cases hold costs what a missing one does
//   (no walk of its facts to time). Answers the node of that kind and key (its internal id
//   for this request), one row (hop 0) with its visible neighbours as views/neighbours gives
//   them, and with $ahead one row (hop 1) for each of the first $per_node of those that a
//   view expands (not a case, unless $through_cases): its visible neighbours in the same
//   stable order (kind, then id), $per_node of them, with how many it has in all and which
//   are cases. One query for both hops cost less than two. A merge suggestion is visible
//   only when both of its cases are and the person at its other end is one the caller may
//   see (views/entity/person's test): a split or a withdrawal can leave it on a person whom
//   only hidden cases now hold.
//   The case's own id is tested as any(x IN [c.case_id] ...), not c.case_id IN $allowed_cases:
//   FalkorDB would add every allowed case to the index look-up of the key
//   (graphapp/store/falkor_scope.py).
// params:
//   allowed_cases: list<string>
//   kind: string
//   key: string
//   per_node: int
//   through_cases: bool
//   ahead: bool
CALL {
  MATCH (n:Phone {e164: $key})
  WHERE $kind = 'phone' AND any(c IN n.case_ids WHERE c IN $allowed_cases) RETURN n
  UNION ALL
  MATCH (n:Person {person_id: $key})
  WHERE $kind = 'person' AND any(c IN n.case_ids WHERE c IN $allowed_cases) RETURN n
  UNION ALL
  MATCH (n:Address {address_key: $key})
  WHERE $kind = 'address' AND any(c IN n.case_ids WHERE c IN $allowed_cases) RETURN n
  UNION ALL
  MATCH (n:Hotel {hotel_key: $key})
  WHERE $kind = 'hotel' AND any(c IN n.case_ids WHERE c IN $allowed_cases) RETURN n
  UNION ALL
  MATCH (n:Advert {advert_key: $key})
  WHERE $kind = 'advert' AND any(c IN n.case_ids WHERE c IN $allowed_cases) RETURN n
  UNION ALL
  MATCH (n:Case {case_id: $key})
  WHERE $kind = 'case' AND any(c IN [n.case_id] WHERE c IN $allowed_cases) AND n.pending_batch IS NULL RETURN n
}
WITH n
MATCH (n)-[r]-(m)
WHERE r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS'
       OR (r.other_case_id IN $allowed_cases AND any(x IN m.case_ids WHERE x IN $allowed_cases)))
WITH DISTINCT n, m
ORDER BY labels(m)[0], id(m)
WITH n, collect(m) AS ms
CALL {
  WITH n, ms
  RETURN 0 AS hop, id(n) AS nid, size(ms) AS total, [x IN ms[0..$per_node] | id(x)] AS shown,
         [x IN ms[0..$per_node] | x:Case] AS shown_cases
  UNION ALL
  WITH ms
  UNWIND ms[0..$per_node] AS m
  WITH m
  WHERE $ahead AND ($through_cases OR NOT m:Case)
  MATCH (m)-[r]-(o)
  WHERE r.case_id IN $allowed_cases
    AND (type(r) <> 'MAYBE_SAME_AS'
         OR (r.other_case_id IN $allowed_cases AND any(x IN o.case_ids WHERE x IN $allowed_cases)))
  WITH DISTINCT m, o
  ORDER BY id(m), labels(o)[0], id(o)
  WITH m, collect(id(o)) AS others, collect(o:Case) AS cases
  RETURN 1 AS hop, id(m) AS nid, size(others) AS total, others[0..$per_node] AS shown,
         cases[0..$per_node] AS shown_cases
}
RETURN hop, nid, total, shown, shown_cases
