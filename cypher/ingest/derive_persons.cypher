// description: >-
//   Recompute the match and blocking keys of the persons among these nodes from their
//   committed case records (INVOLVES; a withdrawn one has no case_id); other nodes are
//   skipped.
// params:
//   nids: list
UNWIND $nids AS nid
MATCH (n:Person) WHERE id(n) = nid
OPTIONAL MATCH (:Case)-[i:INVOLVES]->(n)
WHERE i.case_id IS NOT NULL
WITH n, collect(i.match_keys) AS mks, collect(i.block_keys) AS bks
SET n.match_keys = reduce(acc = [], ks IN mks | acc + [x IN ks WHERE NOT x IN acc]),
    n.block_keys = reduce(acc = [], ks IN bks | acc + [x IN coalesce(ks, []) WHERE NOT x IN acc])
RETURN count(n) AS derived
