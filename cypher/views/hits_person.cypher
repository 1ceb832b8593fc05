// description: >-
//   Deconfliction hit check on an exact national id, whether or not the caller may see the
//   person: the persons whose match keys hold the id's HMAC (ingest/ids.py; the graph never
//   holds the id itself as a key), and the cases NOT among $allowed_cases whose own record of
//   the person holds it. The person's keys merge every case's records: a case that recorded
//   the person without the id is no hit, else a covert case's id would reach it through them.
//   Returns plain strings only (see views/hits_entity for why this read on hidden cases is
//   safe); the entity id stays in the service (a covert case owner's notification).
// params:
//   allowed_cases: list<string>
//   match_key: string
MATCH (p:Person)
WHERE $match_key IN p.match_keys
MATCH (c:Case)-[r:INVOLVES]->(p)
WHERE r.case_id = c.case_id AND NOT c.case_id IN $allowed_cases AND c.pending_batch IS NULL
  AND $match_key IN r.match_keys
RETURN DISTINCT c.case_id AS case_id, c.classification AS classification, c.unit AS unit,
       c.contact AS contact, 'person:' + p.person_id AS entity_id
ORDER BY case_id
