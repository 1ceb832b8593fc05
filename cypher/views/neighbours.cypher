// description: >-
//   The visible neighbours of a set of nodes (internal ids of this request), at most
//   $per_node of each after skipping $skip, in a stable order (kind, then id), each with the
//   visible facts that join it to the node; and how many visible neighbours each node has in
//   all, so that the view can say "N more" when a busy node (a hotel with hundreds of stays)
//   is capped. A merge suggestion is visible only when both of its cases are.
// params:
//   allowed_cases: list<string>
//   nids: list
//   skip: int
//   per_node: int
UNWIND $nids AS nid
MATCH (n)-[r]-(m)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS' OR r.other_case_id IN $allowed_cases)
WITH nid, n, m, collect(r) AS rels
ORDER BY nid, labels(m)[0], id(m)
WITH nid, n, collect({other: m, other_nid: id(m), rels: rels}) AS neighbours
RETURN nid, n AS node, size(neighbours) AS total, neighbours[$skip..($skip + $per_node)] AS shown
