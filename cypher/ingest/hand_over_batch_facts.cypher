// description: >-
//   Withdrawal, before the batch's facts are hidden (ingest/hide_batch_facts): each committed fact of the batch that a
//   later committed batch restated with the same values (restated_by, ingest/load_*) is handed
//   to the first of them, which leaves the list (gone when empty): the fact stays, its
//   batch_id names a batch that states it, and its values are that batch's too. Rare, so one
//   scan, as ingest/delete_batch_edges. Running it again finds nothing more to hand over (a handed fact names
//   another batch; a hidden one has no case_id).
// params:
//   batch_id: string
MATCH ()-[e]->()
WHERE e.batch_id = $batch_id AND e.case_id IS NOT NULL AND size(coalesce(e.restated_by, [])) > 0
SET e.batch_id = e.restated_by[0],
    e.restated_by = CASE WHEN size(e.restated_by) > 1 THEN e.restated_by[1..] ELSE null END
RETURN count(e) AS kept
