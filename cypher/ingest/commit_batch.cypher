// description: "Make a batch's facts visible in one atomic query: pending_case becomes case_id."
// params:
//   batch_id: string
MATCH ()-[e]->()
WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
SET e.case_id = e.pending_case, e.pending_case = null
RETURN count(e) AS committed
