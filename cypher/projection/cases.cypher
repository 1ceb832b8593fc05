// description: >-
//   The projection's copy: the visible, committed case nodes with their attributes (read from
//   the main graph, scoped by $allowed_cases).
// params:
//   allowed_cases: list<string>
//   case_ids: list<string>
MATCH (c:Case)
WHERE c.case_id IN $case_ids AND c.case_id IN $allowed_cases AND c.pending_batch IS NULL
RETURN id(c) AS nid, properties(c) AS props
