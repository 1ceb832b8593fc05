// description: >-
//   The caller's visible cases whose title holds every term of a full-text query with prefix
//   terms (graphapp/services/search.py: `kopp* ank*`), through FalkorDB's full-text index on
//   Case.title: looking each of a 711-case reader's cases up and testing its title took 2.6-3.8
//   ms at 1M facts, the index 0.3 ms. Pending cases are left out.
// params:
//   allowed_cases: list<string>
//   ft: string
//   limit: int
CALL db.idx.fulltext.queryNodes('Case', $ft) YIELD node AS n
WITH n
WHERE n.case_id IN $allowed_cases AND n.pending_batch IS NULL
RETURN n AS node, id(n) AS nid, 1 AS facts
LIMIT $limit
