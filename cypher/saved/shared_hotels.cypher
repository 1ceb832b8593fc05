// name: shared_hotels
// title: Hotels used in several cases
// description: >-
//   Hotels and short-term stays that several of your cases mention, with how many of your
//   cases' persons stayed there: places to ask the hotel for guest lists and to plan the next
//   operation week with the hotel owners.
// action: run-saved-query
// result: table
// tags: [hotels, cross-case]
// params:
//   allowed_cases: list<string>
//   row_limit: int
//   min_cases:
//     type: int
//     default: 2
//     min: 1
//     max: 100
//     label: At least this many cases
MATCH (c:Case)-[m:MENTIONS]->(h:Hotel)
WHERE c.case_id IN $allowed_cases AND m.case_id IN $allowed_cases
WITH h, collect(DISTINCT m.case_id) AS cases, collect(DISTINCT m.hotel_name) AS names,
     collect(DISTINCT m.city) AS cities
WHERE size(cases) >= $min_cases
OPTIONAL MATCH (p:Person)-[s:STAYED_AT]->(h)
WHERE s.case_id IN $allowed_cases
WITH h, cases, names, cities, count(DISTINCT p) AS guests, count(s) AS stays
RETURN h AS hotel, names[0] AS name, cities[0] AS city, size(cases) AS case_count, cases,
       guests, stays
ORDER BY case_count DESC, stays DESC, name
LIMIT $row_limit
