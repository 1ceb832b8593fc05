// description: >-
//   Detector "victims moved between cities over time": for each person the caller's cases
//   record as a victim, the dated places their visible facts put them (hotel stays with the
//   hotel's city, and adverts listing a phone they use, with the advert's city), for
//   graphapp/services/detectors.py to order into a route and keep those through at least
//   $min_cities cities. Starts from the allowed Case nodes. A place's city is read from the
//   stating case's own mention, found through the Case index (a hub hotel has thousands of
//   mentions: walking them all for each stay read 2.4 million rows at 1M facts).
// params:
//   allowed_cases: list<string>
//   min_cities: int
//   limit: int
MATCH (c:Case)-[vi:INVOLVES]->(v:Person)
WHERE c.case_id IN $allowed_cases AND c.pending_batch IS NULL AND vi.case_id = c.case_id
  AND vi.role = 'victim'
WITH DISTINCT v
CALL {
  WITH v
  MATCH (v)-[s:STAYED_AT]->(h:Hotel)
  WHERE s.case_id IN $allowed_cases AND s.check_in IS NOT NULL
  WITH v, s, h
  MATCH (c:Case {case_id: s.case_id})
  WITH v, s, h, c
  MATCH (c)-[m:MENTIONS]->(h)
  WHERE m.case_id = s.case_id AND m.city IS NOT NULL
  RETURN 'STAYED_AT' AS type, 'hotel:' + h.hotel_key AS place, m.hotel_name AS what,
         m.city AS city, s.case_id AS case_id, s.source AS source,
         substring(s.check_in, 0, 10) AS day
  UNION
  WITH v
  MATCH (v)-[u:USES]->(:Phone)<-[l:LISTS]-(a:Advert)
  WHERE u.case_id IN $allowed_cases AND l.case_id IN $allowed_cases
  WITH v, l, a
  MATCH (c:Case {case_id: l.case_id})
  WITH v, l, a, c
  MATCH (c)-[m:MENTIONS]->(a)
  WHERE m.case_id = l.case_id AND m.city IS NOT NULL AND coalesce(l.posted, m.posted) IS NOT NULL
  RETURN 'LISTS' AS type, 'advert:' + a.advert_key AS place,
         coalesce(m.site, '') + ' ' + coalesce(m.advert_id, '') AS what,
         m.city AS city, l.case_id AS case_id, l.source AS source,
         substring(coalesce(l.posted, m.posted), 0, 10) AS day
}
WITH v, collect(DISTINCT toLower(trim(city))) AS cities,
     collect({type: type, place: place, what: what, city: city, case_id: case_id,
              source: source, day: day}) AS facts
WHERE size(cities) >= $min_cities
RETURN id(v) AS nid, v AS node, size(cities) AS score, facts
ORDER BY score DESC, v.person_id
LIMIT $limit
