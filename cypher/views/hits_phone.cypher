// description: >-
//   Deconfliction hit check on an exact phone (E.164), whether or not the caller may see it:
//   the cases NOT among $allowed_cases that mention it. Returns plain strings only (see
//   views/hits_entity for why this read on hidden cases is safe): the case's id,
//   classification, unit and contact, and the entity id, which the service keeps to itself
//   (it names the entity in a covert case owner's notification, never to the caller).
// params:
//   allowed_cases: list<string>
//   e164: string
MATCH (n:Phone {e164: $e164})<-[r:MENTIONS]-(c:Case)
WHERE r.case_id = c.case_id AND NOT c.case_id IN $allowed_cases AND c.pending_batch IS NULL
RETURN DISTINCT c.case_id AS case_id, c.classification AS classification, c.unit AS unit,
       c.contact AS contact, 'phone:' + n.e164 AS entity_id
ORDER BY case_id
