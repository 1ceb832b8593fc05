// description: >-
//   Persons, hotels, addresses and cases whose visible facts contain the text;
//   starts from the allowed Case nodes, so hidden cases are never scanned.
// params:
//   allowed_cases: list<string>
//   q: string
//   limit: int
MATCH (c:Case)-[r:INVOLVES]->(n:Person)
WHERE c.case_id IN $allowed_cases AND r.case_id IN $allowed_cases
  AND toLower(r.name) CONTAINS $q
WITH n, collect(DISTINCT r.case_id) AS cases, min(r.name) AS label
RETURN n AS node, cases, label
LIMIT $limit
UNION ALL
MATCH (c:Case)-[r:MENTIONS]->(n:Hotel)
WHERE c.case_id IN $allowed_cases AND r.case_id IN $allowed_cases
  AND toLower(r.hotel_name + ' ' + r.city) CONTAINS $q
WITH n, collect(DISTINCT r.case_id) AS cases, min(r.hotel_name + ', ' + r.city) AS label
RETURN n AS node, cases, label
LIMIT $limit
UNION ALL
MATCH (c:Case)-[r:MENTIONS]->(n:Address)
WHERE c.case_id IN $allowed_cases AND r.case_id IN $allowed_cases
  AND toLower(r.street + ' ' + r.city) CONTAINS $q
WITH n, collect(DISTINCT r.case_id) AS cases, min(r.street + ', ' + r.city) AS label
RETURN n AS node, cases, label
LIMIT $limit
UNION ALL
MATCH (n:Case)
WHERE n.case_id IN $allowed_cases AND n.pending_batch IS NULL
  AND (toLower(n.case_id) CONTAINS $q OR toLower(n.title) CONTAINS $q)
RETURN n AS node, [n.case_id] AS cases, n.case_id + ': ' + n.title AS label
LIMIT $limit
