// description: >-
//   Detector "several persons at one hotel on overlapping dates": the stays the caller's
//   cases record at each hotel that at least $min_persons persons stayed at, with dates
//   (a stay without check-out counts as its check-in day). Which stays overlap is worked out
//   in graphapp/services/detectors.py. Starts from the allowed Case nodes.
// params:
//   allowed_cases: list<string>
//   min_persons: int
//   limit: int
MATCH (c:Case)-[hm:MENTIONS]->(h:Hotel)
WHERE c.case_id IN $allowed_cases AND c.pending_batch IS NULL AND hm.case_id = c.case_id
WITH DISTINCT h
MATCH (p:Person)-[s:STAYED_AT]->(h)
WHERE s.case_id IN $allowed_cases AND s.check_in IS NOT NULL AND s.check_in <> ''
WITH h, collect(DISTINCT p) AS persons,
     collect({type: 'STAYED_AT', person_nid: id(p), case_id: s.case_id, source: s.source,
              room: s.room, day: substring(s.check_in, 0, 10),
              until: substring(coalesce(s.check_out, s.check_in), 0, 10)}) AS facts
WHERE size(persons) >= $min_persons
RETURN id(h) AS nid, h AS node, size(persons) AS score, facts,
       [x IN persons | {nid: id(x), node: x}] AS others
ORDER BY score DESC, h.hotel_key
LIMIT $limit
