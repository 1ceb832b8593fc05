// name: person_network
// title: A person's direct links
// description: >-
//   Persons whose name matches, with everything your cases link them to directly: phones,
//   addresses, hotels, associates. Drawn as a network; open a node to go further.
// action: run-saved-query
// result: graph
// tags: [persons, network]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   name:
//     type: string
//     label: Name contains
MATCH (c:Case)-[i:INVOLVES]->(p:Person)
WHERE c.case_id IN $allowed_cases AND i.case_id IN $allowed_cases
  AND toLower(i.name) CONTAINS toLower($name)
WITH DISTINCT p
MATCH (p)-[r]-(o)
WHERE r.case_id IN $allowed_cases AND NOT o:Case
  AND (r.other_case_id IS NULL OR r.other_case_id IN $allowed_cases)
RETURN p AS person, r AS link, o AS other, type(r) AS link_type, r.case_id AS case_id
ORDER BY case_id, link_type
LIMIT $row_limit
