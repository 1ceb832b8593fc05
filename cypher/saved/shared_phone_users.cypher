// name: shared_phone_users
// title: Phones used by several persons
// description: >-
//   Numbers that several persons use: a handling phone passed between victims, a work phone
//   the controller hands out, or a number that ties two seemingly separate persons together.
// action: run-saved-query
// result: table
// tags: [phones, persons]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_users:
//     type: int
//     default: 2
//     min: 1
//     max: 1000
//     label: At least this many persons
MATCH (c:Case)-[m:MENTIONS]->(ph:Phone)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
WITH DISTINCT ph
MATCH (p:Person)-[u:USES]->(ph)
WHERE u.case_id IN $allowed_cases
MATCH (:Case)-[i:INVOLVES]->(p)
WHERE i.case_id = u.case_id
WITH ph, collect(DISTINCT p) AS users, collect(DISTINCT i.name) AS names,
     collect(DISTINCT u.case_id) AS cases
WHERE size(users) >= $min_users
RETURN ph AS phone, size(users) AS user_count, names, cases
ORDER BY user_count DESC, ph.e164
LIMIT $row_limit
