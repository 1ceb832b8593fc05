// description: >-
//   Remove a batch's edges, the last graph step of taking it out (after
//   ingest/hide_batch_facts, the re-derivation of their ends and ingest/delete_orphans):
//   only its pending facts and dormant statements (undoing a batch that never committed), or
//   all of them (withdrawal: its facts are hidden by then, withdrawn_case instead of
//   case_id), with the merge suggestions of other batches the withdrawal hid for its records
//   (withdrawn_by, ingest/hide_record_suggestions); counts the batch's facts removed, not
//   the dormant statements or those suggestions. Rare, so one scan rather than a branch per
//   type.
// params:
//   batch_id: string
//   pending_only: bool
MATCH ()-[e]->()
WHERE (e.batch_id = $batch_id
       AND ($pending_only = false OR e.pending_case IS NOT NULL OR e.dormant_case IS NOT NULL))
   OR ($pending_only = false AND e.withdrawn_by = $batch_id AND e.case_id IS NULL)
WITH e, CASE WHEN e.batch_id = $batch_id AND e.dormant_case IS NULL THEN 1 ELSE 0 END AS fact
DELETE e
RETURN sum(fact) AS deleted
