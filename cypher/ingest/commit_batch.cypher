// description: >-
//   Make a batch's facts and new cases visible in one atomic query: pending_case becomes
//   case_id, and the cases it created lose their pending_batch mark.
//   One branch per relationship type, so each uses its batch_id index on both backends.
// params:
//   batch_id: string
CALL {
  MATCH ()-[e:INVOLVES]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:MENTIONS]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:USES]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:RESIDES_AT]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:STAYED_AT]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:LOCATED_AT]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:CALLED]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:LISTS]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:ASSOCIATED_WITH]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
  UNION ALL
  MATCH ()-[e:MAYBE_SAME_AS]->() WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL RETURN e
}
SET e.case_id = e.pending_case, e.pending_case = null
WITH count(e) AS committed
CALL {
  MATCH (c:Case)
  WHERE c.pending_batch = $batch_id
  SET c.pending_batch = null
  RETURN count(c) AS cases
}
RETURN committed, cases
