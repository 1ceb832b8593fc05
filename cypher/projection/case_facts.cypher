// description: >-
//   The projection's copy, one visible case at a time: the facts of the case between
//   entities (USES, STAYED_AT, CALLED…), a merge suggestion only when its other case is
//   visible too. Endpoints are the store's internal ids of nodes case_nodes returned.
// params:
//   allowed_cases: list<string>
//   case_id: string
MATCH (c:Case {case_id: $case_id})-[m]->(n)
WHERE c.case_id IN $allowed_cases AND m.case_id = $case_id
WITH DISTINCT n
MATCH (n)-[r]->(o)
WHERE r.case_id = $case_id AND r.case_id IN $allowed_cases
  AND (r.other_case_id IS NULL OR r.other_case_id IN $allowed_cases)
RETURN id(n) AS s, id(o) AS e, type(r) AS type, properties(r) AS props
