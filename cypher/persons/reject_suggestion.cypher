// description: >-
//   Reject the merge suggestions between two persons whose two cases are both among $cases
//   (the reviewer's cases with edit rights): the suggestion is removed; the audit log keeps
//   the decision.
// params:
//   a: string
//   b: string
//   cases: list<string>
MATCH (x:Person {person_id: $a})-[s:MAYBE_SAME_AS]-(y:Person {person_id: $b})
WHERE s.case_id IN $cases AND s.other_case_id IN $cases
DELETE s
RETURN count(s) AS removed
