// description: >-
//   Cross-case links, persons: those that two or more of the caller's cases involve, found
//   by walking out from the allowed Case nodes (FALKORDB.md: faster than scanning
//   every node's case_ids, and its cost follows the caller's cases, not the database).
//   Pending cases and uncommitted facts are left out. Returns the internal id for this
//   request only, the entity's label and key (plain values: parsing every node's properties,
//   match keys included, cost more than the walk), and its visible cases; ranking is the
//   service's. Other entities are views/links_cross_case_entities, read beside this one.
// params:
//   allowed_cases: list<string>
//   min_cases: int
MATCH (c:Case)-[r:INVOLVES]->(n)
WHERE c.case_id IN $allowed_cases AND c.pending_batch IS NULL AND r.case_id = c.case_id
WITH n, collect(DISTINCT c.case_id) AS cases
WHERE size(cases) >= $min_cases
RETURN id(n) AS nid, labels(n)[0] AS label,
       coalesce(n.e164, n.address_key, n.hotel_key, n.person_id, n.advert_key) AS key, cases
