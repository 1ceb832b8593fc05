// description: >-
//   Make a batch's facts visible in one atomic query: pending_case becomes case_id, each
//   endpoint's case_ids gains the facts' cases, each person's match and blocking keys gain
//   those of its new case records (the INVOLVES facts' keys, gathered in the same pass over
//   the facts: only INVOLVES edges hold keys, so only persons get them), and the cases the
//   batch created lose their pending_batch mark. Indexes are kept exact by adding only
//   (withdrawal, merge and split re-derive).
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
WITH e, ends, e.pending_case AS cid, e.match_keys AS mk, e.block_keys AS bk
SET e.case_id = cid, e.pending_case = null
WITH cid, ends, 2 / size(ends) AS weight, mk, bk
UNWIND ends AS n
WITH n, collect(DISTINCT cid) AS cs, sum(weight) AS weights, collect(mk) AS mks,
     collect(bk) AS bks
SET n.case_ids = reduce(acc = coalesce(n.case_ids, []), c IN cs |
                        CASE WHEN c IN acc THEN acc ELSE acc + c END)
FOREACH (_ IN CASE WHEN size(mks) > 0 THEN [1] ELSE [] END |
  SET n.match_keys = reduce(acc = coalesce(n.match_keys, []), ks IN mks |
                            acc + [x IN coalesce(ks, []) WHERE NOT x IN acc]),
      n.block_keys = reduce(acc = coalesce(n.block_keys, []), ks IN bks |
                            acc + [x IN coalesce(ks, []) WHERE NOT x IN acc]))
WITH count(n) AS nodes, sum(weights) / 2 AS committed,
     sum(CASE WHEN size(mks) > 0 THEN 1 ELSE 0 END) AS persons
CALL {
  MATCH (c:Case)
  WHERE c.pending_batch = $batch_id
  SET c.pending_batch = null
  RETURN count(c) AS cases
}
RETURN committed, nodes, persons, cases
