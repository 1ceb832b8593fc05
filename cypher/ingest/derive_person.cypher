// description: Recompute case_ids and match_keys of these persons from their committed facts.
// params:
//   keys: list<string>
UNWIND $keys AS k
MATCH (n:Person {person_id: k})
OPTIONAL MATCH (n)-[e]-()
WHERE e.case_id IS NOT NULL AND type(e) <> 'MAYBE_SAME_AS'
WITH n, collect(DISTINCT e.case_id) AS cs
OPTIONAL MATCH (:Case)-[i:INVOLVES]->(n)
WHERE i.case_id IS NOT NULL
WITH n, cs, collect(i.match_keys) AS mks
SET n.case_ids = cs, n.match_keys = reduce(acc = [], ks IN mks | acc + [x IN ks WHERE NOT x IN acc])
