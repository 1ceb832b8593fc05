// name: shared_phones
// title: Phones shared across cases
// description: >-
//   Phone numbers that two or more of your cases mention: the classic sign of one organiser
//   behind adverts and victims in several investigations. Most shared first.
// action: run-saved-query
// result: table
// tags: [phones, cross-case]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_cases:
//     type: int
//     default: 2
//     min: 1
//     max: 100
//     label: At least this many cases
//     help: 2 finds the cross-case links; 1 lists every phone of your cases.
MATCH (c:Case)-[m:MENTIONS]->(p:Phone)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
WITH p, collect(DISTINCT m.case_id) AS cases
WHERE size(cases) >= $min_cases
RETURN p AS phone, size(cases) AS case_count, cases
ORDER BY case_count DESC, p.e164
LIMIT $row_limit
