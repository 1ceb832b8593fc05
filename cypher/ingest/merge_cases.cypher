// description: Create Case nodes; an existing case keeps its attributes (reclassification is its own audited command).
// params:
//   rows: list<map>
//   batch_id: string
UNWIND $rows AS r
MERGE (c:Case {case_id: r.case_id})
ON CREATE SET c += r.props, c.case_ids = [r.case_id], c.created_batch = $batch_id,
              c.pending_batch = $batch_id
