// description: >-
//   Delete entities among these nodes that no fact holds any more (a Case only if the given
//   batch created it): what undoing or withdrawing a batch leaves behind. Runs before the
//   batch's edges are deleted (ingest/delete_batch_edges), so that a run stopped half-way
//   still finds these nodes through them: an entity goes when every edge it has is one of
//   the batch's invisible ones (withdrawn, pending or dormant; they go with it), a merge
//   suggestion another batch made for one of its records and the withdrawal hid
//   (withdrawn_by, ingest/hide_record_suggestions) included.
// params:
//   nids: list
//   batch_id: string
UNWIND $nids AS nid
MATCH (n) WHERE id(n) = nid
  AND (NOT n:Case OR n.created_batch = $batch_id)
WITH n, [(n)-[r]-() | r] AS edges
WHERE all(e IN edges WHERE (e.batch_id = $batch_id OR e.withdrawn_by = $batch_id)
                          AND e.case_id IS NULL)
DETACH DELETE n
RETURN count(n) AS deleted
