// description: >-
//   Remove a batch's facts: only its pending ones (undoing a batch that never committed), or
//   all of them (withdrawal). Rare, so one scan rather than a branch per type.
// params:
//   batch_id: string
//   pending_only: bool
MATCH ()-[e]->()
WHERE e.batch_id = $batch_id AND ($pending_only = false OR e.pending_case IS NOT NULL)
DELETE e
RETURN count(e) AS deleted
