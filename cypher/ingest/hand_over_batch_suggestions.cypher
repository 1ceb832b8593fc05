// description: >-
//   Withdrawal, after ingest/hand_over_batch_facts and ingest/promote_restatements and
//   before ingest/hide_batch_facts: a merge suggestion the batch made whose two records both
//   stay is handed to another batch instead of going with this one. A suggestion is made
//   once per pair of records, by the first batch that found it (resolve/suggest), so a later
//   batch stating the same records never made its own, and withdrawing the batch that found
//   it would otherwise lose the lead while both records stay. A record stays when a
//   committed INVOLVES edge of another batch states it (its case_id and person_ref) on
//   either person of the suggestion: after the hand-overs, a fact another batch restated
//   names that batch. The suggestion goes to the least batch id among those stating its
//   first record; withdrawing that batch later hands it on again, or hides it with the
//   record. Records are found in the evidence's "records" as ingest/hide_record_suggestions
//   finds them (JSON-quoted, first or second). Counts the suggestions handed over. Running
//   it again finds nothing more (a handed suggestion names another batch, a hidden one has
//   no case_id). Walks from the batch's suggestions (index on batch_id).
// params:
//   batch_id: string
MATCH (a:Person)-[s:MAYBE_SAME_AS]->(b:Person)
WHERE s.batch_id = $batch_id AND s.case_id IS NOT NULL
UNWIND [a, b] AS p
MATCH (:Case)-[g:INVOLVES]->(p)
WHERE g.case_id IS NOT NULL AND g.batch_id <> $batch_id
WITH s, g.batch_id AS other,
     '"' + replace(replace(g.case_id + ':' + g.person_ref, '\\', '\\\\'), '"', '\\"') + '"' AS rec
WITH s,
     min(CASE WHEN s.evidence CONTAINS ('"records": [' + rec + ', ') THEN other END) AS heir,
     count(CASE WHEN s.evidence ENDS WITH (', ' + rec + ']}') THEN 1 END) AS seconds
WHERE heir IS NOT NULL AND seconds > 0
SET s.batch_id = heir
RETURN count(s) AS kept
