// description: >-
//   Detector "phone in adverts in several cities": numbers that the caller's cases' escort
//   adverts list in at least $min_cities cities (city spelling: case and spaces ignored), the
//   same controller moving women town by town. Starts from the allowed Case nodes; every fact
//   read is one of the caller's. One row per phone with each advert's facts as plain values.
// params:
//   allowed_cases: list<string>
//   min_cities: int
//   limit: int
MATCH (c:Case)-[m:MENTIONS]->(a:Advert)-[l:LISTS]->(p:Phone)
WHERE c.case_id IN $allowed_cases AND c.pending_batch IS NULL
  AND m.case_id = c.case_id AND l.case_id = c.case_id AND m.city IS NOT NULL AND m.city <> ''
WITH p, collect(DISTINCT toLower(trim(m.city))) AS cities,
     collect({type: 'LISTS', case_id: l.case_id, source: l.source, city: m.city, site: m.site,
              advert_id: m.advert_id, advert: 'advert:' + a.advert_key,
              day: substring(coalesce(l.posted, m.posted, ''), 0, 10)}) AS facts
WHERE size(cities) >= $min_cities
RETURN id(p) AS nid, p AS node, size(cities) AS score, facts
ORDER BY score DESC, p.e164
LIMIT $limit
