// description: >-
//   The case records (INVOLVES) of these persons that the caller may see: who may merge or
//   split them is decided from these.
// params:
//   allowed_cases: list<string>
//   person_ids: list<string>
MATCH (c:Case)-[i:INVOLVES]->(p:Person)
WHERE p.person_id IN $person_ids AND i.case_id IN $allowed_cases
RETURN p AS person, i AS record, c AS owner
