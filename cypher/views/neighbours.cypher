// description: >-
//   The visible neighbours of a set of nodes (internal ids of this request), at most
//   $per_node of each after skipping $skip, in a stable order (kind, then id); and how many
//   visible neighbours each node has in all, so that the view can say "N more" when a busy
//   node (a hotel with hundreds of stays) is capped. A merge suggestion is visible only when
//   both of its cases are. Ids only: the caller picks the neighbours it keeps and reads their
//   facts with views/neighbour_facts (a view of thousands of nodes spent most of its time
//   decoding the facts of neighbours it then left out). shown_cases says which of them are
//   cases, so the view knows its next frontier (cases are leaves) before it reads the facts.
//   A merge suggestion is visible only when both of its cases are and the person at its
//   other end is one the caller may see (views/entity/person's test): a split or a
//   withdrawal can leave it on a person whom only hidden cases now hold.
// params:
//   allowed_cases: list<string>
//   nids: list
//   skip: int
//   per_node: int
UNWIND $nids AS nid
MATCH (n)-[r]-(m)
WHERE id(n) = nid AND r.case_id IN $allowed_cases
  AND (type(r) <> 'MAYBE_SAME_AS'
       OR (r.other_case_id IN $allowed_cases AND any(x IN m.case_ids WHERE x IN $allowed_cases)))
WITH DISTINCT nid, m
ORDER BY nid, labels(m)[0], id(m)
WITH nid, collect(id(m)) AS others, collect(m:Case) AS cases
RETURN nid, size(others) AS total, others[$skip..($skip + $per_node)] AS shown,
       cases[$skip..($skip + $per_node)] AS shown_cases
