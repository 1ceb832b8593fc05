// description: >-
//   Merge suggestions (MAYBE_SAME_AS) touching one person, visible only when both of the
//   suggestion's cases are the caller's, with the other person and its internal id.
// params:
//   allowed_cases: list<string>
//   person_id: string
MATCH (p:Person {person_id: $person_id})-[s:MAYBE_SAME_AS]-(o:Person)
WHERE s.case_id IN $allowed_cases AND s.other_case_id IN $allowed_cases
RETURN p AS person, s AS suggestion, o AS other, id(o) AS other_nid
ORDER BY s.score DESC
