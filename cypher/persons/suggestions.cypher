// description: >-
//   Merge suggestions whose two records the caller may both see, best first.
// params:
//   allowed_cases: list<string>
//   row_limit: int
MATCH (a:Person)-[s:MAYBE_SAME_AS]->(b:Person)
WHERE s.case_id IN $allowed_cases AND s.other_case_id IN $allowed_cases
RETURN a, s, b
ORDER BY s.score DESC
LIMIT $row_limit
