// description: Every committed case record of one person, for the join log (internal).
// params:
//   person_id: string
MATCH (c:Case)-[i:INVOLVES]->(p:Person {person_id: $person_id})
WHERE i.case_id IS NOT NULL
RETURN i.case_id AS case_id, i.person_ref AS person_ref
