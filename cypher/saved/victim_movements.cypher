// name: victim_movements
// title: Victims' movement between cities
// description: >-
//   Each victim's hotel and short-term stays in date order, with the cities they were moved
//   through: the route along the E4 and E6 that one case alone only sees a stretch of.
//   Cities count as the cases spell them, case and spacing ignored. A stay's city is read from
//   its own case's mention of the hotel, found through the Case index, not by walking every
//   mention of a hotel that thousands of cases name.
// action: run-saved-query
// result: table
// tags: [victims, hotels, movement, dates]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_cities:
//     type: int
//     default: 2
//     min: 1
//     max: 50
//     label: Through at least this many cities
MATCH (c:Case)-[vi:INVOLVES]->(v:Person)
WHERE c.case_id IN $allowed_cases AND vi.case_id IN $allowed_cases AND vi.role = 'victim'
WITH v, collect(DISTINCT vi.name)[0] AS name
MATCH (v)-[s:STAYED_AT]->(h:Hotel)
WHERE s.case_id IN $allowed_cases
WITH v, name, s, h
MATCH (sc:Case {case_id: s.case_id})
WITH v, name, s, h, sc
MATCH (sc)-[m:MENTIONS]->(h)
WHERE m.case_id = s.case_id
WITH v, name, s, collect(DISTINCT m.city)[0] AS city
WITH v, name, substring(s.check_in, 0, 10) AS day, city, s.case_id AS case_id
ORDER BY day, city
WITH v, name, collect({day: day, city: city, case_id: case_id}) AS stays
WITH v, name, stays, [x IN stays | toLower(trim(x.city))] AS keys
WITH v, name, stays, keys,
     reduce(acc = [], k IN keys | CASE WHEN k IN acc THEN acc ELSE acc + k END) AS cities
WHERE size(cities) >= $min_cities
RETURN v AS victim, name, size(cities) AS city_count,
       size([i IN range(1, size(keys) - 1) WHERE keys[i] <> keys[i - 1]]) AS moves,
       reduce(route = '', x IN stays | route + CASE WHEN route = '' THEN '' ELSE ' > ' END
                                       + x.day + ' ' + x.city) AS route,
       reduce(acc = [], x IN stays | CASE WHEN x.case_id IN acc THEN acc ELSE acc + x.case_id END) AS cases
ORDER BY city_count DESC, moves DESC, name
LIMIT $row_limit
