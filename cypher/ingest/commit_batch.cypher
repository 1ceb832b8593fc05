// description: >-
//   Make a batch's facts visible in one atomic query: pending_case becomes case_id, each
//   endpoint's case_ids gains the facts' cases, each person's match and blocking keys gain
//   those of its new case records, and the cases the batch created lose their pending_batch
//   mark. Indexes are kept exact by adding only (withdrawal, merge and split re-derive).
//   One branch per relationship type, so each uses its batch_id index on both backends; a
//   Case's own case_ids never change, so facts starting at a case derive their end only.
//   Running it again finds nothing pending and changes nothing.
//   Each fact weighs 2 across the rows of its ends, so that the sum counts facts once.
// params:
//   batch_id: string
CALL {
  MATCH ()-[e:INVOLVES]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [b] AS ends
  UNION ALL
  MATCH ()-[e:MENTIONS]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [b] AS ends
  UNION ALL
  MATCH (a)-[e:USES]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:RESIDES_AT]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:STAYED_AT]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:LOCATED_AT]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:CALLED]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:LISTS]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [a, b] AS ends
  UNION ALL
  MATCH (a)-[e:ASSOCIATED_WITH]->(b) WHERE e.batch_id = $batch_id AND e.pending_case IS NOT NULL
  RETURN e, [a, b] AS ends
}
WITH e, ends, e.pending_case AS cid
SET e.case_id = cid, e.pending_case = null
WITH cid, ends, 2 / size(ends) AS weight
UNWIND ends AS n
WITH n, collect(DISTINCT cid) AS cs, sum(weight) AS weights
SET n.case_ids = reduce(acc = coalesce(n.case_ids, []), c IN cs |
                        CASE WHEN c IN acc THEN acc ELSE acc + c END)
WITH count(n) AS nodes, sum(weights) / 2 AS committed
CALL {
  MATCH (:Case)-[i:INVOLVES]->(p:Person)
  WHERE i.batch_id = $batch_id AND i.case_id IS NOT NULL
  WITH p, collect(i.match_keys) AS mks, collect(i.block_keys) AS bks
  SET p.match_keys = reduce(acc = coalesce(p.match_keys, []), ks IN mks |
                            acc + [x IN coalesce(ks, []) WHERE NOT x IN acc]),
      p.block_keys = reduce(acc = coalesce(p.block_keys, []), ks IN bks |
                            acc + [x IN coalesce(ks, []) WHERE NOT x IN acc])
  RETURN count(p) AS persons
}
CALL {
  MATCH (c:Case)
  WHERE c.pending_batch = $batch_id
  SET c.pending_batch = null
  RETURN count(c) AS cases
}
RETURN committed, nodes, persons, cases
