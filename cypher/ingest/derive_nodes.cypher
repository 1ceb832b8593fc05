// description: >-
//   Recompute case_ids of these nodes from their committed facts (a Case is always its
//   own); pending, dormant and withdrawn facts have no case_id and do not count.
//   ingest/derive_persons does a person's match and blocking keys.
// params:
//   nids: list
UNWIND $nids AS nid
MATCH (n) WHERE id(n) = nid
OPTIONAL MATCH (n)-[e]-()
WHERE e.case_id IS NOT NULL AND type(e) <> 'MAYBE_SAME_AS'
WITH n, collect(DISTINCT e.case_id) AS cs
SET n.case_ids = CASE WHEN n:Case THEN [n.case_id] ELSE cs END
RETURN count(n) AS derived
