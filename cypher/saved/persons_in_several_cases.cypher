// name: persons_in_several_cases
// title: Persons in several cases
// description: >-
//   Persons that several of your cases record, with the role each case gives them: a victim
//   in one case who recruits in another, a buyer who recurs, a suspect known to other units.
// action: run-saved-query
// result: table
// tags: [persons, cross-case]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_cases:
//     type: int
//     default: 2
//     min: 1
//     max: 100
//     label: At least this many cases
//   role:
//     type: string
//     default: any
//     choices: [any, suspect, victim, buyer, witness, other]
//     label: With this role in at least one case
MATCH (c:Case)-[i:INVOLVES]->(p:Person)
WHERE c.case_id IN $allowed_cases AND i.case_id IN $allowed_cases
WITH p, collect(DISTINCT i.case_id) AS cases, collect(DISTINCT i.role) AS roles,
     collect(DISTINCT i.name) AS names
WHERE size(cases) >= $min_cases AND ($role = 'any' OR $role IN roles)
RETURN p AS person, names, size(cases) AS case_count, cases, roles,
       size(roles) > 1 AS roles_differ
ORDER BY case_count DESC, names[0]
LIMIT $row_limit
