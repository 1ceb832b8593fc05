// description: >-
//   Take a batch out of every fact's restated_by and differed_by (a list that empties goes):
//   one of the last steps of rolling back or withdrawing it, after its own facts and dormant
//   statements are deleted (ingest/delete_batch_edges). Lists have no index: one scan, as
//   these operations are rare. Running it again changes nothing.
// params:
//   batch_id: string
MATCH ()-[e]->()
WHERE $batch_id IN coalesce(e.restated_by, []) OR $batch_id IN coalesce(e.differed_by, [])
WITH e, [x IN coalesce(e.restated_by, []) WHERE x <> $batch_id] AS restated,
     [x IN coalesce(e.differed_by, []) WHERE x <> $batch_id] AS differed
SET e.restated_by = CASE WHEN size(restated) > 0 THEN restated ELSE null END,
    e.differed_by = CASE WHEN size(differed) > 0 THEN differed ELSE null END
RETURN count(e) AS forgotten
