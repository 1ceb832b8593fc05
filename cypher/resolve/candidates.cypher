// description: >-
//   Committed person records holding one of these blocking keys (near-match candidates;
//   blocking keeps this from comparing every pair), with the batch that brought each.
// params:
//   keys: list<string>
UNWIND $keys AS k
MATCH (p:Person)
WHERE k IN p.block_keys
MATCH (:Case)-[i:INVOLVES]->(p)
WHERE i.case_id IS NOT NULL AND k IN i.block_keys
RETURN p.person_id AS person_id, i.case_id AS case_id, i.person_ref AS person_ref,
       i.name AS name, i.birth_date AS birth_date, i.batch_id AS batch_id, k AS block_key
