// description: >-
//   Persons, hotels, addresses and adverts whose visible facts match a full-text query with
//   prefix terms (built by graphapp/services/search.py: `ann* pop*`) through FalkorDB's
//   full-text indexes on INVOLVES (names) and MENTIONS (hotel, street, city, advert id,
//   site). Facts of hidden cases are dropped before anything is aggregated.
// params:
//   allowed_cases: list<string>
//   ft: string
//   limit: int
CALL db.idx.fulltext.queryRelationships('INVOLVES', $ft) YIELD relationship AS r
WITH r
WHERE r.case_id IN $allowed_cases
WITH endNode(r) AS n, count(r) AS facts
RETURN n AS node, id(n) AS nid, facts
LIMIT $limit
UNION ALL
CALL db.idx.fulltext.queryRelationships('MENTIONS', $ft) YIELD relationship AS r
WITH r
WHERE r.case_id IN $allowed_cases
WITH endNode(r) AS n, count(r) AS facts
RETURN n AS node, id(n) AS nid, facts
LIMIT $limit
