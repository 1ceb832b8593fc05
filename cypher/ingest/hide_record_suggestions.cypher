// description: >-
//   Withdrawal, after ingest/hand_over_batch_facts and ingest/promote_restatements and
//   before ingest/hide_batch_facts: the merge suggestions other batches made for a record
//   the batch takes away are hidden with it. A record goes when the batch's INVOLVES edge
//   for it (committed, or hidden already by an earlier run) is the last statement of that
//   record (case_id + person_ref) on its person; a suggestion is one of that person's whose
//   evidence names the record in its "records" (the last key of the JSON text
//   ingest/resolve.py writes: the record JSON-quoted, first or second; JSON would quote a
//   control character otherwise, and ingest/readers.py refuses them in any value). Its case
//   moves from case_id into withdrawn_case, so no read sees it, and withdrawn_by names the
//   batch, so that ingest/delete_orphans treats it as the batch's and
//   ingest/delete_batch_edges deletes it. The batch's own suggestions are hidden with its
//   facts. Counts the suggestions it hid. Running it again hides nothing more. Walks from
//   the batch's INVOLVES edges (index on batch_id) to their persons' suggestions of other
//   batches, and only for a record whose person has one looks for another statement of it:
//   no scan of every suggestion, and little work for a batch whose records no other batch
//   suggested.
// params:
//   batch_id: string
MATCH (:Case)-[f:INVOLVES]->(p:Person)
WHERE f.batch_id = $batch_id AND f.dormant_case IS NULL
  AND coalesce(f.case_id, f.withdrawn_case) IS NOT NULL
MATCH (p)-[made:MAYBE_SAME_AS]-()
WHERE made.case_id IS NOT NULL AND made.batch_id <> $batch_id
WITH DISTINCT p, coalesce(f.case_id, f.withdrawn_case) AS case_id, f.person_ref AS ref
OPTIONAL MATCH (:Case)-[g:INVOLVES]->(p)
WHERE g.case_id = case_id AND g.person_ref = ref AND g.batch_id <> $batch_id
WITH p, case_id, ref, count(g) AS others
WHERE others = 0
WITH p, '"' + replace(replace(case_id + ':' + ref, '\\', '\\\\'), '"', '\\"') + '"' AS rec
MATCH (p)-[s:MAYBE_SAME_AS]-()
WHERE s.case_id IS NOT NULL AND s.batch_id <> $batch_id
  AND (s.evidence CONTAINS ('"records": [' + rec + ', ')
       OR s.evidence ENDS WITH (', ' + rec + ']}'))
SET s.withdrawn_case = s.case_id, s.case_id = null, s.withdrawn_by = $batch_id
RETURN count(DISTINCT s) AS suggestions
