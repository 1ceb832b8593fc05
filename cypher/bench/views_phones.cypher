// description: >-
//   bench/views.py: phones in the bench user's cases, to start 2-hop views from (read raw).
// params:
//   allowed_cases: list<string>
MATCH (c:Case)-[r:MENTIONS]->(p:Phone)
WHERE c.case_id IN $allowed_cases AND r.case_id = c.case_id
RETURN DISTINCT p.e164 AS id
ORDER BY id
LIMIT 5000
