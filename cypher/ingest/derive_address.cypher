// description: Recompute case_ids of these Address nodes from their committed facts.
// params:
//   keys: list<string>
UNWIND $keys AS k
MATCH (n:Address {address_key: k})
OPTIONAL MATCH (n)-[e]-()
WHERE e.case_id IS NOT NULL AND type(e) <> 'MAYBE_SAME_AS'
WITH n, collect(DISTINCT e.case_id) AS cs
SET n.case_ids = cs
