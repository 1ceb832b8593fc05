// description: >-
//   Remove a batch's facts: only its pending ones and its dormant statements (undoing a batch
//   that never committed), or all of them (withdrawal, after ingest/hand_over_batch_facts and
//   ingest/promote_restatements kept those that other batches state); counts the facts
//   removed, not the dormant statements. Rare, so one scan rather than a branch per type.
// params:
//   batch_id: string
//   pending_only: bool
MATCH ()-[e]->()
WHERE e.batch_id = $batch_id
  AND ($pending_only = false OR e.pending_case IS NOT NULL OR e.dormant_case IS NOT NULL)
WITH e, CASE WHEN e.dormant_case IS NULL THEN 1 ELSE 0 END AS fact
DELETE e
RETURN sum(fact) AS deleted
