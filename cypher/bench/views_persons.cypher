// description: >-
//   bench/views.py: persons and their names in the bench user's cases, to pick search words and
//   path ends from (not a view; read raw).
// params:
//   allowed_cases: list<string>
MATCH (c:Case)-[r:INVOLVES]->(p:Person)
WHERE c.case_id IN $allowed_cases AND r.case_id = c.case_id
RETURN p.person_id AS id, r.name AS name
ORDER BY id
LIMIT 5000
