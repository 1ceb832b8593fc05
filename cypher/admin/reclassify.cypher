// description: >-
//   Change one committed case's classification (normal, restricted, covert): the one write
//   that does, run only by `casegraph cases reclassify`, which audits it. Returns the old
//   and new classification; no row when there is no such case.
// params:
//   case_id: string
//   classification: string
MATCH (c:Case {case_id: $case_id})
WHERE c.pending_batch IS NULL
WITH c, coalesce(c.classification, 'normal') AS before
SET c.classification = $classification
RETURN before, c.classification AS after
