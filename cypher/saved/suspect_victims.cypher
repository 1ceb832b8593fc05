// name: suspect_victims
// title: A suspect's victims across cases
// description: >-
//   Every victim recorded in any of your cases where a person whose name matches is a
//   suspect: one trafficker's victims gathered from several investigations, for the
//   prosecutor's picture of the whole operation. Drawn as a network of suspect, cases and
//   victims.
// action: run-saved-query
// result: graph
// tags: [persons, suspects, victims, cross-case]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   suspect:
//     type: string
//     label: Suspect's name contains
//     help: Part of a name as your cases record it, e.g. "popescu".
MATCH (c:Case)-[si:INVOLVES]->(s:Person)
WHERE c.case_id IN $allowed_cases AND si.case_id IN $allowed_cases AND si.role = 'suspect'
  AND toLower(si.name) CONTAINS toLower($suspect)
WITH DISTINCT s
MATCH (k:Case)-[sk:INVOLVES]->(s)
WHERE k.case_id IN $allowed_cases AND sk.case_id IN $allowed_cases AND sk.role = 'suspect'
MATCH (k)-[vi:INVOLVES]->(v:Person)
WHERE vi.case_id IN $allowed_cases AND vi.role = 'victim' AND v <> s
RETURN s AS suspect, sk.name AS suspect_name, k AS case, sk AS suspect_record, vi AS victim_record,
       v AS victim, vi.name AS victim_name, vi.nationality AS nationality, k.case_id AS case_id
ORDER BY suspect_name, victim_name, case_id
LIMIT $row_limit
