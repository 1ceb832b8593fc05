// description: >-
//   Recompute the derived indexes of these nodes from their committed facts: case_ids for
//   every entity (a Case is always its own), and a person's match and blocking keys from
//   its INVOLVES.
// params:
//   nids: list
UNWIND $nids AS nid
MATCH (n) WHERE id(n) = nid
OPTIONAL MATCH (n)-[e]-()
WHERE e.case_id IS NOT NULL AND type(e) <> 'MAYBE_SAME_AS'
WITH n, collect(DISTINCT e.case_id) AS cs
OPTIONAL MATCH (:Case)-[i:INVOLVES]->(n)
WHERE i.case_id IS NOT NULL
WITH n, cs, collect(i.match_keys) AS mks, collect(i.block_keys) AS bks
SET n.case_ids = CASE WHEN n:Case THEN [n.case_id] ELSE cs END,
    n.match_keys = CASE WHEN n:Person THEN reduce(acc = [], ks IN mks | acc + [x IN ks WHERE NOT x IN acc]) ELSE null END,
    n.block_keys = CASE WHEN n:Person THEN reduce(acc = [], ks IN bks | acc + [x IN coalesce(ks, []) WHERE NOT x IN acc]) ELSE null END
RETURN count(n) AS derived
