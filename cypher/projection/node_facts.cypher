// description: >-
//   The projection's copy: the visible facts that start at these entities (USES, STAYED_AT,
//   CALLED…), a merge suggestion only when its other case is visible too. The ids are the
//   store's internal ids of the entities case_nodes returned; each entity is read once.
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)
WHERE id(n) = nid
MATCH (n)-[r]->(o)
WHERE r.case_id IN $allowed_cases
  AND (r.other_case_id IS NULL OR r.other_case_id IN $allowed_cases)
RETURN id(n) AS s, id(o) AS e, type(r) AS type, properties(r) AS props
