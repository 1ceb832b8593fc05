// description: The blocking keys of the committed person records a batch brought, each once.
// params:
//   batch_id: string
MATCH (:Case)-[i:INVOLVES]->(:Person)
WHERE i.batch_id = $batch_id AND i.case_id IS NOT NULL
UNWIND i.block_keys AS k
RETURN DISTINCT k AS block_key
