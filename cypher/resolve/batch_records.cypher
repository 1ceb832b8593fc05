// description: The committed person records a batch brought, for near-match search.
// params:
//   batch_id: string
MATCH (:Case)-[i:INVOLVES]->(p:Person)
WHERE i.batch_id = $batch_id AND i.case_id IS NOT NULL
RETURN p.person_id AS person_id, i.case_id AS case_id, i.person_ref AS person_ref,
       i.name AS name, i.birth_date AS birth_date, i.block_keys AS block_keys
