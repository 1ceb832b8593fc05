// name: advert_phone_cities
// title: Phones in adverts in several cities
// description: >-
//   Numbers that escort adverts list in more than one city: the same controller moving
//   women along the E-roads and advertising them town by town. Counts cities as your cases'
//   adverts spell them (case and spacing ignored).
// action: run-saved-query
// result: table
// tags: [phones, adverts, movement]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_cities:
//     type: int
//     default: 2
//     min: 1
//     max: 50
//     label: In at least this many cities
MATCH (c:Case)-[m:MENTIONS]->(a:Advert)-[l:LISTS]->(p:Phone)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
  AND l.case_id = m.case_id AND m.city IS NOT NULL
WITH p, collect(DISTINCT toLower(trim(m.city))) AS keys, collect(DISTINCT m.city) AS cities,
     collect(DISTINCT a) AS adverts, collect(DISTINCT m.site) AS sites,
     collect(DISTINCT m.case_id) AS cases
WHERE size(keys) >= $min_cities
RETURN p AS phone, size(keys) AS city_count, cities, size(adverts) AS adverts, sites, cases
ORDER BY city_count DESC, adverts DESC, p.e164
LIMIT $row_limit
