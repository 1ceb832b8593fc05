// description: >-
//   How many visible neighbours each of these nodes (internal ids of this request) has in
//   the whole graph: what sizes a node by degree, and what "N more" counts for nodes of a
//   view that were not expanded.
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)-[r]-(m)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS' OR r.other_case_id IN $allowed_cases)
RETURN nid, count(DISTINCT m) AS degree
