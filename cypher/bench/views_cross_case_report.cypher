// description: >-
//   bench/views.py: the raw reference for the cross-case report, the closest one query comes
//   to what the report shows: the entities that $min_cases or more of the allowed cases hold
//   facts about (walked out from the allowed Case nodes), ranked by cases and regions, the
//   first $limit of them with the spellings and the first and last date of their visible
//   facts, and the cases they are in that the caller may not see (case, classification,
//   unit, contact). No classification rules, no case-to-case network, no labels chosen: the
//   store's share of the work alone.
// params:
//   allowed_cases: list<string>
//   min_cases: int
//   limit: int
MATCH (c:Case)-[r:INVOLVES|MENTIONS]->(n)
WHERE c.case_id IN $allowed_cases AND c.pending_batch IS NULL AND r.case_id = c.case_id
WITH n, collect(DISTINCT c.case_id) AS cases, collect(DISTINCT c.unit) AS regions
WHERE size(cases) >= $min_cases
WITH n, cases, regions
ORDER BY size(cases) DESC, size(regions) DESC
LIMIT $limit
OPTIONAL MATCH (n)-[d]-()
WHERE d.case_id IN $allowed_cases
WITH n, cases, regions,
     collect(DISTINCT coalesce(d.name, d.hotel_name, d.street, d.advert_id)) AS spellings,
     min(coalesce(d.first_seen, d.check_in, d.first_call, d.posted)) AS first,
     max(coalesce(d.last_seen, d.check_out, d.last_call, d.posted)) AS last
OPTIONAL MATCH (n)<-[h:INVOLVES|MENTIONS]-(o:Case)
WHERE h.case_id = o.case_id AND NOT o.case_id IN $allowed_cases AND o.pending_batch IS NULL
RETURN labels(n)[0] AS label,
       coalesce(n.e164, n.address_key, n.hotel_key, n.person_id, n.advert_key) AS key,
       cases, regions, spellings, first, last,
       collect(DISTINCT [o.case_id, o.classification, o.unit, o.contact]) AS hidden
