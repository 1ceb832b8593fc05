// description: >-
//   The caller's visible cases whose title holds every term of a full-text query with prefix
//   terms (graphapp/services/search.py: `kopp* AND ank*`), through the case_title full-text
//   index. Pending cases are left out.
// params:
//   allowed_cases: list<string>
//   ft: string
//   limit: int
CALL db.index.fulltext.queryNodes('case_title', $ft) YIELD node AS n
WITH n
WHERE n.case_id IN $allowed_cases AND n.pending_batch IS NULL
RETURN n AS node, id(n) AS nid, 1 AS facts
LIMIT $limit
