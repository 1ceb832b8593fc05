// description: >-
//   Committed person records sharing a blocking key with the given ones (near-match
//   candidates; blocking keeps this from comparing every pair).
// params:
//   keys: list<string>
UNWIND $keys AS k
MATCH (p:Person)
WHERE k IN p.block_keys
MATCH (:Case)-[i:INVOLVES]->(p)
WHERE i.case_id IS NOT NULL
RETURN DISTINCT p.person_id AS person_id, i.case_id AS case_id, i.person_ref AS person_ref,
       i.name AS name, i.birth_date AS birth_date, k AS block_key
