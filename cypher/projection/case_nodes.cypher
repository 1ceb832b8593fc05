// description: >-
//   The projection's copy, one visible case at a time: the case node and every fact that
//   starts at it (INVOLVES, MENTIONS) with the entity it reaches. Read from the main graph,
//   scoped by $allowed_cases; the store writes the rows into the caller's projection graph.
// params:
//   allowed_cases: list<string>
//   case_id: string
MATCH (c:Case {case_id: $case_id})
WHERE c.case_id IN $allowed_cases AND c.pending_batch IS NULL
OPTIONAL MATCH (c)-[m]->(n)
WHERE m.case_id = $case_id
RETURN id(c) AS case_nid, properties(c) AS case_props, id(n) AS nid, labels(n) AS labels,
       properties(n) AS props, type(m) AS type, properties(m) AS rel_props
