// description: >-
//   The caller's visible cases whose id or title contains the text (lower case). Starts from
//   the allowed case ids, so it reads at most the caller's own cases; case ids are not words,
//   so a full-text index would split them.
// params:
//   allowed_cases: list<string>
//   q: string
//   limit: int
MATCH (n:Case)
WHERE n.case_id IN $allowed_cases AND n.pending_batch IS NULL
  AND (toLower(n.case_id) CONTAINS $q OR toLower(n.title) CONTAINS $q)
RETURN n AS node, id(n) AS nid, 1 AS facts
LIMIT $limit
