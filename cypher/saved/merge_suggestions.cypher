// name: merge_suggestions
// title: Persons with pending merge suggestions
// description: >-
//   Records that may be the same person (transliterations, swapped name order, typos) and
//   await a decision, where you may see both records: confirm or reject them on the person's
//   page before relying on a person's links.
// action: run-saved-query
// result: table
// tags: [persons, resolution]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_score:
//     type: float
//     default: 0
//     min: 0
//     max: 100
//     label: Score at least
MATCH (c:Case)-[i:INVOLVES]->(a:Person)
WHERE c.case_id IN $allowed_cases AND i.case_id IN $allowed_cases
WITH DISTINCT a
MATCH (a)-[s:MAYBE_SAME_AS]->(b:Person)
WHERE s.case_id IN $allowed_cases AND s.other_case_id IN $allowed_cases
  AND coalesce(s.score, 0) >= $min_score
MATCH (:Case)-[ia:INVOLVES]->(a)
WHERE ia.case_id = s.case_id
MATCH (:Case)-[ib:INVOLVES]->(b)
WHERE ib.case_id = s.other_case_id
WITH a, b, s, collect(DISTINCT ia.name)[0] AS name_a, collect(DISTINCT ib.name)[0] AS name_b
RETURN a AS person_a, name_a, s.case_id AS case_a, b AS person_b, name_b,
       s.other_case_id AS case_b, s.score AS score
ORDER BY score DESC, name_a, name_b
LIMIT $row_limit
