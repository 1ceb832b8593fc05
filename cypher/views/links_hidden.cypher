// description: >-
//   Deconfliction for the cross-case report: the cases the caller may NOT see that hold a
//   committed fact about each of these entities (internal ids from views/links_cross_case_*).
//   Written like views/hits_entity and as safe: $allowed_cases requires the entity to be
//   visible and keeps only cases NOT among the caller's; each row holds plain strings (the
//   entity's public id and four case attributes), never a node or a fact, and
//   graphapp/services/hits.py checks those columns and applies the classification rules
//   (covert: nothing; restricted: unit and contact) before anything leaves the service.
//   The entity is bound by its id before the hop (WITH n): written as one MATCH, FalkorDB's
//   planner scans every Case node and all its facts first (100x slower at 10k facts).
// params:
//   allowed_cases: list<string>
//   nids: list
UNWIND $nids AS nid
MATCH (n)
WHERE id(n) = nid
WITH n
MATCH (n)<-[r:INVOLVES|MENTIONS]-(c:Case)
WHERE any(x IN n.case_ids WHERE x IN $allowed_cases)
  AND r.case_id = c.case_id AND NOT c.case_id IN $allowed_cases AND c.pending_batch IS NULL
RETURN DISTINCT
       toLower(labels(n)[0]) + ':' + coalesce(n.e164, n.address_key, n.hotel_key, n.person_id,
                                              n.advert_key) AS entity_id,
       c.case_id AS case_id, c.classification AS classification, c.unit AS unit,
       c.contact AS contact
ORDER BY entity_id, case_id
